// `tryon tenants create` and `tryon keys create|list|revoke`: operator commands for tenants and API keys (keys shown once).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createRepos, databaseOptionsFrom, openDatabase, PGliteInUseError, type ApiKeyScope } from '../db/index.js';
import { CliError } from './io.js';

const SCOPES: readonly ApiKeyScope[] = ['read', 'write', 'admin'];

const USAGE = `Usage:
  tryon tenants create <name> [--json]                   a tenant and its first key (admin, read, write)
  tryon keys create <tenant id> [--scopes read,write] [--json]
  tryon keys list <tenant id> [--json]
  tryon keys revoke <key id>`;

function parseScopes(value: string | undefined): ApiKeyScope[] {
  const list = (value ?? 'read,write').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !SCOPES.includes(s as ApiKeyScope));
  if (bad.length > 0 || list.length === 0) throw new CliError(`--scopes: use a comma-separated list of ${SCOPES.join(', ')} (got "${value}")`);
  return [...new Set(list)] as ApiKeyScope[];
}

async function withRepos<T>(fn: (repos: ReturnType<typeof createRepos>, db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const cfg = loadConfig();
  let opened;
  try {
    opened = await openDatabase(databaseOptionsFrom(cfg));
  } catch (e) {
    if (e instanceof PGliteInUseError) {
      throw new CliError(`${e.message}\nThe embedded database belongs to the running server: stop it first, or use a real Postgres (DATABASE_URL).`);
    }
    throw e;
  }
  try {
    return await fn(createRepos(opened.db), opened);
  } finally {
    await opened.close();
  }
}

const print = (json: boolean, value: unknown, text: string) => process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);

/** argv starts with the group: ['tenants', 'create', 'Acme'] or ['keys', 'revoke', 'key_…']. */
export async function tenantsCommand(argv: string[]): Promise<number> {
  const [group, action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { scopes: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const json = values.json === true;

  if (group === 'tenants' && action === 'create') {
    const name = positionals.join(' ').trim();
    if (!name) throw new CliError(`a tenant needs a name\n${USAGE}`);
    return withRepos(async (repos) => {
      const tenant = await repos.tenants.createTenant(name);
      const { key, plain } = await repos.tenants.createApiKey(tenant.id, ['admin', 'read', 'write']);
      print(
        json,
        { tenant: { id: tenant.id, name: tenant.name }, api_key: { id: key.id, scopes: key.scopes, key: plain } },
        `tenant   ${tenant.id}  ${tenant.name}\napi key  ${key.id}  scopes ${key.scopes.join(',')}\nkey      ${plain}\n\nThe key is shown once and stored only as a hash: keep it now.`,
      );
      return 0;
    });
  }

  if (group === 'keys' && action === 'create') {
    const tenantId = positionals[0];
    if (!tenantId) throw new CliError(`which tenant?\n${USAGE}`);
    const scopes = parseScopes(values.scopes);
    return withRepos(async (repos) => {
      if (!(await repos.tenants.getTenant(tenantId))) throw new CliError(`no tenant ${tenantId}`);
      const { key, plain } = await repos.tenants.createApiKey(tenantId, scopes);
      print(json, { id: key.id, tenant_id: tenantId, scopes: key.scopes, key: plain }, `api key  ${key.id}  scopes ${key.scopes.join(',')}\nkey      ${plain}\n\nThe key is shown once: keep it now.`);
      return 0;
    });
  }

  if (group === 'keys' && action === 'list') {
    const tenantId = positionals[0];
    if (!tenantId) throw new CliError(`which tenant?\n${USAGE}`);
    return withRepos(async (repos) => {
      const keys = await repos.tenants.listApiKeys(tenantId);
      const lines = keys.map((k) => `${k.id}  tk_live_${k.prefix}…  ${k.scopes.join(',')}  ${k.revoked_at ? `revoked ${k.revoked_at.toISOString()}` : 'active'}`);
      print(json, keys, lines.join('\n') || '(no keys)');
      return 0;
    });
  }

  if (group === 'keys' && action === 'revoke') {
    const keyId = positionals[0];
    if (!keyId) throw new CliError(`which key?\n${USAGE}`);
    return withRepos(async (repos, opened) => {
      // An operator names a key by id alone; the repository scopes by tenant, so find the key's tenant first.
      const row = await opened.db.selectFrom('api_keys').select(['tenant_id']).where('id', '=', keyId).executeTakeFirst();
      if (!row) throw new CliError(`no API key ${keyId}`);
      const revoked = await repos.tenants.revokeKey(row.tenant_id, keyId);
      print(json, { id: keyId, revoked }, revoked ? `revoked ${keyId}` : `${keyId} was already revoked`);
      return 0;
    });
  }

  throw new CliError(`unknown command "${[group, action].filter(Boolean).join(' ')}"\n${USAGE}`);
}
