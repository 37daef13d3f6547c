import { amountOf, type EventData, readEventData } from '../../contract/workspace-event-payloads';
import type { OutboundEnvelope } from '../../contract/workspace-events';
import { exponentOf, toMajor } from '../shared/money';
import type { SlackSettings } from './schema';

type SlackEvent = Pick<OutboundEnvelope, 'type' | 'data'>;

/** `$1,234.50`, `¥5,000`, `KWD 1.250`: the currency's own number of decimals. */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits = exponentOf(currency);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    toMajor(amountMinor, currency),
  );
}

/** The first route that claims the event (type, then amount filters), else the default channel for its default events. */
export function channelFor(event: SlackEvent, settings: SlackSettings): string | undefined {
  const amount = amountOf(readEventData(event.data));
  const route = settings.routes.find(
    (candidate) =>
      (candidate.events as string[]).includes(event.type) &&
      (candidate.minAmountMinor === undefined || (amount !== undefined && amount.amountMinor >= candidate.minAmountMinor)) &&
      (candidate.currency === undefined || amount?.currency === candidate.currency),
  );
  if (route) return route.channel;
  return (settings.events as string[]).includes(event.type) ? settings.channel : undefined;
}

/** Slack mrkdwn control characters in user-supplied text. */
function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function customerLabel(data: EventData): string | undefined {
  const customer = data.customer;
  const name = customer?.name ?? customer?.externalId ?? customer?.id;
  if (!customer?.email) return name ? escape(name) : undefined;
  const mail = `<mailto:${escape(customer.email)}|${escape(customer.email)}>`;
  return name && name !== customer.email ? `${escape(name)} (${mail})` : mail;
}

function headline(type: string, data: EventData): string {
  const amount = amountOf(data);
  const money = amount ? formatMoney(amount.amountMinor, amount.currency) : '';
  const eventName = escape(data.conversion?.eventName ?? '');
  switch (type) {
    case 'sale.created':
      return `:moneybag: New sale ${money}`.trim();
    case 'sale.updated': {
      const before = data.previous?.amountMinor != null && data.previous.currency ? formatMoney(data.previous.amountMinor, data.previous.currency) : '';
      return `:pencil2: Sale updated ${money}${before ? ` (was ${before})` : ''}`.trim();
    }
    case 'refund.created':
      return `:leftwards_arrow_with_hook: Refund ${money}`.trim();
    case 'lead.created':
      return `:dart: New lead${eventName ? `: ${eventName}` : ''}`;
    case 'customer.created':
      return `:bust_in_silhouette: New customer${customerLabel(data) ? `: ${customerLabel(data)}` : ''}`;
    case 'link.clicked':
      return `:link: Link clicked${data.click?.linkKey ? `: ${escape(data.click.linkKey)}` : ''}`;
    default:
      return type.startsWith('integration.')
        ? `:electric_plug: Integration ${data.integrationId ?? ''} is now ${data.to ?? type.slice('integration.'.length)}`
        : type;
  }
}

/** Label/value pairs shown under the headline; absent values are left out. */
function fields(data: EventData): Array<[string, string | undefined]> {
  const amount = amountOf(data);
  const link = data.conversion?.linkKey ?? data.click?.linkKey;
  const plain = (value: string | null | undefined) => (value ? escape(value) : undefined);
  return [
    ['Customer', customerLabel(data)],
    ['Amount', amount && formatMoney(amount.amountMinor, amount.currency)],
    ['Event', plain(data.conversion?.eventName)],
    ['Link', link && data.click?.url ? `<${escape(data.click.url)}|${escape(link)}>` : plain(link)],
    ['Order', plain(data.conversion?.externalId)],
    ['Source', plain(data.conversion?.provider)],
    ['Country', plain(data.click?.country)],
    ['Reason', plain(data.reason)],
  ];
}

/** A Block Kit message a person can read at a glance, with `text` as the notification fallback. */
export function slackMessage(envelope: OutboundEnvelope): { text: string; blocks: unknown[] } {
  const data = readEventData(envelope.data);
  const text = headline(envelope.type, data);
  const shown = fields(data).filter((entry): entry is [string, string] => Boolean(entry[1]));
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
      ...(shown.length > 0 ? [{ type: 'section', fields: shown.map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` })) }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Linquid · ${envelope.type} · ${envelope.id}` }] },
    ],
  };
}
