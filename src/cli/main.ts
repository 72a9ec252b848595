// Entry of the `tryon` command line: dispatches to one command per file.
import { InputError } from '../pipeline/errors.js';
import { CliError } from './io.js';

const USAGE = `tryon — garment virtual try-on, command line

Usage:
  tryon analyze-model <image>... --out <dir>       analyse model photos: pose, mask, face, parsing,
                                                   measurements, suitability (JSON + overlays)
  tryon analyze-garment <image>... [--category top|bottom|dress] --out <dir>
                                                   analyse garment photos: cut-out, category,
                                                   landmarks, parts, collar (JSON + overlays)
  tryon render --garment <image> --models <image|dir>... --out <dir>
        [--options <json|file>] [--sheet <png>] [--category top|bottom|dress] [--method tryon|paste]
                                                   one garment on many models: a JPEG and a quality
                                                   JSON per model, and a contact sheet
  tryon eval --people <dir> --garments <dir> --out <dir> [--method tryon|paste] [--panels]
                                                   every garment on every person: metrics.json,
                                                   contact sheets, and blind-rating panels
  tryon networks list                              networks in the manifest and whether present
  tryon networks pull [name]                       fetch optional networks (needs internet)
  tryon demo [--out <dir>]                         analyse every sample and write overlays
  tryon tenants create <name>                      a tenant and an admin+read+write API key (shown once)
  tryon keys create <tenant id> [--scopes read,write] | keys list <tenant id> | keys revoke <key id>

With several images, each gets its own folder <dir>/<image name>/.
Settings come from the environment (see README, "Configuration").`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'analyze-model':
        return await (await import('./analyze.js')).analyzeModelCommand(rest);
      case 'analyze-garment':
        return await (await import('./analyze.js')).analyzeGarmentCommand(rest);
      case 'render':
        return await (await import('./render.js')).renderCommand(rest);
      case 'eval':
        return await (await import('./render.js')).evalCommand(rest);
      case 'networks':
        return await (await import('./networks.js')).networksCommand(rest);
      case 'tenants':
      case 'keys':
        return await (await import('./tenants.js')).tenantsCommand([command, ...rest]);
      case 'demo':
        return await (await import('./demo.js')).demoCommand(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`tryon: unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof CliError || e instanceof InputError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`tryon ${command}: ${(e as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`tryon ${command}: failed: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}
