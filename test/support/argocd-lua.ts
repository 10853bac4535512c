// Runs an Argo CD health script the way Argo CD does, in a real Lua VM (wasmoon: Lua 5.4 compiled to
// WebAssembly): the object as the global `obj`, converted value by value as Argo CD's decodeValue does
// (objects and arrays become tables, null and absent fields are nil), only the base, table and package
// libraries open (Argo CD leaves string, math and io closed for scripts from argocd-cm), and the script's
// return value read as {status, message}.
import { LuaFactory, LuaLibraries } from 'wasmoon';

export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
export interface Health {
  readonly status: HealthStatus;
  readonly message: string;
}

const statuses: readonly string[] = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'];

/** A Lua string literal for any text: printable ASCII as is, every other byte as a decimal escape. */
function luaString(text: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(text)) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c;
    out += printable ? String.fromCharCode(byte) : `\\${byte.toString().padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** A Lua expression for a JSON value. */
export function luaValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a JSON number: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `{${value.map(luaValue).join(', ')}}`;
  if (typeof value === 'object') {
    const fields = Object.entries(value).map(([k, v]) => `[${luaString(k)}] = ${luaValue(v)}`);
    return `{${fields.join(', ')}}`;
  }
  throw new Error(`not a JSON value: ${typeof value}`);
}

// The script is loaded as its own chunk, as Argo CD's DoString does; its first return value is the health.
const harness = `
local chunk, err = load(__script, "=health.lua", "t")
if chunk == nil then error(err) end
local hs = chunk()
if type(hs) ~= "table" then error("the script returned " .. type(hs) .. ", not a table") end
return { status = hs.status, message = hs.message }
`;

export class ArgocdLua {
  readonly #factory = new LuaFactory();

  /** The health the script gives the object; throws with Lua's error if the script fails. */
  async health(script: string, obj: unknown): Promise<Health> {
    const engine = await this.#factory.createEngine({ openStandardLibs: false });
    try {
      for (const library of [LuaLibraries.Base, LuaLibraries.Table, LuaLibraries.Package]) {
        engine.global.loadLibrary(library);
      }
      engine.global.set('__script', script);
      await engine.doString(`obj = ${luaValue(obj)}`);
      const { status, message } = (await engine.doString(harness)) as { status: unknown; message: unknown };
      if (typeof status !== 'string' || !statuses.includes(status)) {
        throw new Error(`not an Argo CD health status: ${String(status)}`);
      }
      return { status: status as HealthStatus, message: typeof message === 'string' ? message : '' };
    } finally {
      engine.global.close();
    }
  }
}
