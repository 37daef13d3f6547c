import { checkDestinationUrl, isBlockedAddress } from '../../../lib/ssrf';

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.10', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it('wants https, no credentials, no private literal and a public resolution', async () => {
    await expect(checkDestinationUrl('http://93.184.215.14/x', false)).rejects.toThrow('must be an https:// URL');
    await expect(checkDestinationUrl('ftp://93.184.215.14/x', true)).rejects.toThrow('must be an https:// URL');
    await expect(checkDestinationUrl('https://user:pass@93.184.215.14/x', false)).rejects.toThrow('credentials');
    await expect(checkDestinationUrl('not a url', false)).rejects.toThrow('not a valid URL');
    await expect(checkDestinationUrl('https://10.0.0.1/x', false)).rejects.toThrow('private');
    await expect(checkDestinationUrl('https://localhost/x', false)).rejects.toThrow(/localhost resolves to/);
    await expect(checkDestinationUrl('https://93.184.215.14/x', false)).resolves.toBeUndefined();
  });

  it('lets development use http and loopback when allowed', async () => {
    await expect(checkDestinationUrl('http://127.0.0.1:3000/x', true)).resolves.toBeUndefined();
    await expect(checkDestinationUrl('https://localhost/x', true)).resolves.toBeUndefined();
  });
});
