// Webhook URL safety: which addresses are internal (IPv4, IPv6, IPv4 inside IPv6), schemes, and DNS answers.
import { describe, expect, it } from 'vitest';
import { blockedRange, checkWebhookUrlSyntax, resolveWebhookTarget, UnsafeWebhookUrlError } from '../../src/webhooks/safety.js';

const strict = { allowHttp: false, allowPrivate: false };

async function refusal(url: string, opts: Parameters<typeof resolveWebhookTarget>[1] = strict): Promise<string> {
  try {
    await resolveWebhookTarget(url, opts);
    return 'allowed';
  } catch (err) {
    if (err instanceof UnsafeWebhookUrlError) return err.reason;
    throw err;
  }
}

describe('blockedRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private (unique local)'],
    ['fd12:3456::1', 'private (unique local)'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback (IPv4 inside IPv6)'],
    ['::ffff:7f00:1', 'loopback (IPv4 inside IPv6)'],
    ['::ffff:a9fe:a9fe', 'link-local (IPv4 inside IPv6)'],
    ['64:ff9b::10.0.0.1', 'private (IPv4 inside IPv6)'],
  ])('%s is %s', (ip, range) => {
    expect(blockedRange(ip)).toBe(range);
  });

  it.each(['8.8.8.8', '172.32.0.1', '172.15.255.255', '100.128.0.1', '93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8', '2001:db8::1'])(
    '%s is public',
    (ip) => {
      expect(blockedRange(ip)).toBeNull();
    },
  );
});

describe('webhook URLs', () => {
  it('needs https unless http is allowed, and no credentials', () => {
    expect(() => checkWebhookUrlSyntax('http://shop.example/hook', strict)).toThrow(/https/);
    expect(checkWebhookUrlSyntax('http://shop.example/hook', { ...strict, allowHttp: true }).host).toBe('shop.example');
    expect(() => checkWebhookUrlSyntax('ftp://shop.example/hook', { ...strict, allowHttp: true })).toThrow(UnsafeWebhookUrlError);
    expect(() => checkWebhookUrlSyntax('https://user:pw@shop.example/hook', strict)).toThrow(/user name or password/);
    expect(() => checkWebhookUrlSyntax('not a url', strict)).toThrow(/not a URL/);
  });

  it('refuses internal literals in any spelling without the setting', async () => {
    for (const url of ['https://127.0.0.1/h', 'https://2130706433/h', 'https://0x7f.1/h', 'https://10.0.0.1/h', 'https://169.254.169.254/latest', 'https://[::1]/h', 'https://[::ffff:127.0.0.1]/h']) {
      expect(await refusal(url), url).toBe('blocked_address');
    }
    expect(await refusal('https://127.0.0.1/h', { ...strict, allowPrivate: true })).toBe('allowed');
  });

  it('checks every address a name resolves to, and returns the one to pin', async () => {
    const resolve = async (host: string) =>
      host === 'mixed.example'
        ? [{ address: '93.184.216.34', family: 4 }, { address: '10.1.2.3', family: 4 }]
        : host === 'public.example'
          ? [{ address: '2606:4700::1111', family: 6 }]
          : Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
    expect(await refusal('https://mixed.example/h', { ...strict, resolve })).toBe('blocked_address');
    expect(await resolveWebhookTarget('https://public.example/h', { ...strict, resolve })).toMatchObject({ address: '2606:4700::1111', family: 6 });
    expect(await refusal('https://missing.example/h', { ...strict, resolve })).toBe('dns');
  });

  it('refuses a real name that resolves to loopback (localhost) through the system resolver', async () => {
    expect(await refusal('https://localhost/h')).toBe('blocked_address');
  });
});
