import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import type { FieldIssue, JsonSchema } from '../api/types';
import { ArrayFieldItemTemplate, buttonTemplates, CheckboxWidget, ReadOnlyWidget } from './form-templates';

/**
 * The server's `issues[]` (paths like `settings.routes.0.url`) as rjsf's per-field errors, so each
 * message shows at the field it names. Issues under other prefixes are left to the caller's banner.
 */
export function issuesAtFields(issues: FieldIssue[], prefix: string): ErrorSchema {
  const schema: Record<string, unknown> = {};
  for (const issue of issues) {
    const parts = issue.path.split('.');
    if (parts[0] !== prefix || parts.length < 2) continue;
    let node = schema;
    for (const part of parts.slice(1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node.__errors = [...((node.__errors as string[] | undefined) ?? []), issue.message];
  }
  return schema as ErrorSchema;
}

/** A property's `title` in an object schema (the providers give every setting and secret one), else its name. */
export function titleOf(schema: JsonSchema, name: string): string {
  const property = (schema.properties as Record<string, { title?: string }> | undefined)?.[name];
  return property?.title ?? name;
}

/**
 * The text with each settings key it names replaced by that field's title, for prose the API writes by key (what an
 * inbound event records "when"). Only camelCase keys (`syncOrders`): a one-word key (`mode`, `currency`) reads as
 * an ordinary word there ("not setup mode" is the checkout's mode, not the setting).
 */
export function withTitles(text: string, schema: JsonSchema): string {
  const names = new Set(Object.keys((schema.properties ?? {}) as object));
  return text.replace(/\b[a-z]+[A-Z]\w*\b/g, (word) => (names.has(word) ? `“${titleOf(schema, word)}”` : word));
}

/**
 * A `readOnly` property (set from the provider at install, e.g. Slack's team) shown as text by ReadOnlyWidget, which writes its own
 * title (`label: false` keeps rjsf's `<label>` for an input that is not there).
 */
const READ_ONLY_UI: UiSchema = { 'ui:widget': 'ReadOnlyWidget', 'ui:options': { label: false } };

/**
 * Array items labelled "Item N" (or the item schema's title and N), like their groups (form-templates.tsx), instead
 * of rjsf's "<array title>-N"; nested arrays too. Read-only properties as text (READ_ONLY_UI).
 */
function fieldsUi(schema: RJSFSchema): UiSchema {
  const ui: UiSchema = {};
  if (schema.type === 'array' && schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
    const items = schema.items as RJSFSchema;
    const inner = fieldsUi(items);
    ui.items = (_item: unknown, index: number) => ({ ...inner, 'ui:title': `${items.title ?? 'Item'} ${index + 1}` });
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (typeof property !== 'object') continue;
    if (property.readOnly === true) {
      ui[name] = READ_ONLY_UI;
      continue;
    }
    const inner = fieldsUi(property as RJSFSchema);
    if (Object.keys(inner).length) ui[name] = inner;
  }
  return ui;
}

const templates = { ButtonTemplates: buttonTemplates, ArrayFieldItemTemplate };
const widgets = { CheckboxWidget, ReadOnlyWidget };

/**
 * Settings or secrets, rendered from the JSON Schema the API serves (never a hand-written form per provider).
 * Validated by the server only (`noValidate`), its `issues[]` shown at their fields: rjsf's validator (Ajv)
 * compiles each schema into a function with `new Function`, which the page's CSP (`script-src 'self'`, no
 * `'unsafe-eval'`) refuses.
 */
export function SchemaForm(props: {
  id: string;
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  serverErrors?: ErrorSchema;
  secret?: boolean;
}) {
  const schema = { ...props.schema } as RJSFSchema;
  delete schema.$schema;
  const uiSchema: UiSchema = { ...fieldsUi(schema), 'ui:submitButtonOptions': { norender: true } };
  if (props.secret) {
    for (const name of Object.keys((schema.properties ?? {}) as object)) uiSchema[name] = { 'ui:widget': 'password', 'ui:autocomplete': 'off' };
  }
  return (
    <Form
      idPrefix={props.id}
      schema={schema}
      uiSchema={uiSchema}
      templates={templates}
      widgets={widgets}
      formData={props.value}
      validator={validator}
      extraErrors={props.serverErrors}
      showErrorList={false}
      noHtml5Validate
      noValidate
      tagName="div"
      onChange={(event) => props.onChange((event.formData ?? {}) as Record<string, unknown>)}
    />
  );
}
