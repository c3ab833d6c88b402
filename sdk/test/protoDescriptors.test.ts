// Checks the compiled descriptors of proto/ (via `buf build`): the local third_party copies keep
// upstream's extension and field numbers, and every Hearth Msg follows the Cosmos SDK v0.50
// conventions wallets and the SDK's signing code rely on.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

interface Field {
  name: string;
  number: number;
  type: string;
  label?: string;
  options?: Record<string, unknown>;
}
interface Message {
  name: string;
  field?: Field[];
  options?: Record<string, unknown>;
}
interface Service {
  name: string;
  method?: { name: string; inputType: string; outputType: string }[];
  options?: Record<string, unknown>;
}
interface FileDesc {
  name: string;
  package?: string;
  messageType?: Message[];
  service?: Service[];
  extension?: (Field & { extendee: string })[];
}

const protoDir = fileURLToPath(new URL('../../proto', import.meta.url));
let files: FileDesc[] = [];

beforeAll(() => {
  const r = spawnSync(`${protoDir}/node_modules/.bin/buf`, ['build', '-o', '-#format=json'], {
    cwd: protoDir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`buf build failed: ${r.stderr}`);
  files = (JSON.parse(r.stdout) as { file: FileDesc[] }).file;
});

function file(name: string): FileDesc {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`${name} is not in the buf image`);
  return f;
}

function fieldsOf(fileName: string, message: string): string[] {
  const m = file(fileName).messageType?.find((x) => x.name === message);
  if (!m) throw new Error(`${message} not in ${fileName}`);
  return (m.field ?? []).map(
    (f) => `${f.number} ${f.name} ${f.type}${f.label === 'LABEL_REPEATED' ? '[]' : ''}`,
  );
}

describe('third_party copies match upstream', () => {
  it('declare the upstream extension numbers', () => {
    // Transcribed from cosmos-sdk v0.50 proto/cosmos/msg/v1/msg.proto and proto/amino/amino.proto,
    // cosmos/cosmos-proto proto/cosmos_proto/cosmos.proto and cosmos/gogoproto gogoproto/gogo.proto.
    const expected: Record<string, string[]> = {
      'cosmos/msg/v1/msg.proto': [
        'ServiceOptions service 11110000 bool',
        'MessageOptions signer 11110000 string[]',
      ],
      'amino/amino.proto': [
        'MessageOptions name 11110001 string',
        'MessageOptions message_encoding 11110002 string',
        'FieldOptions encoding 11110003 string',
        'FieldOptions field_name 11110004 string',
        'FieldOptions dont_omitempty 11110005 bool',
      ],
      'cosmos_proto/cosmos.proto': [
        'MessageOptions implements_interface 93001 string',
        'FieldOptions accepts_interface 93001 string',
        'FieldOptions scalar 93002 string',
      ],
      'gogoproto/gogo.proto': [
        'FileOptions goproto_stringer_all 63003 bool',
        'FileOptions stringer_all 63008 bool',
        'FileOptions equal_all 63013 bool',
        'MessageOptions goproto_getters 64001 bool',
        'MessageOptions goproto_stringer 64003 bool',
        'MessageOptions equal 64013 bool',
        'FieldOptions nullable 65001 bool',
        'FieldOptions embed 65002 bool',
        'FieldOptions customtype 65003 string',
        'FieldOptions customname 65004 string',
        'FieldOptions jsontag 65005 string',
        'FieldOptions moretags 65006 string',
        'FieldOptions casttype 65007 string',
        'FieldOptions stdtime 65010 bool',
        'FieldOptions stdduration 65011 bool',
        'FieldOptions castrepeated 65013 string',
      ],
    };
    for (const [name, exts] of Object.entries(expected)) {
      const got = (file(name).extension ?? []).map(
        (e) =>
          `${e.extendee.replace('.google.protobuf.', '')} ${e.name} ${e.number} ${e.type.replace('TYPE_', '').toLowerCase()}${e.label === 'LABEL_REPEATED' ? '[]' : ''}`,
      );
      expect(got, name).toEqual(exts);
    }
  });

  it('keep the upstream message field numbers', () => {
    const coin = 'cosmos/base/v1beta1/coin.proto';
    const page = 'cosmos/base/query/v1beta1/pagination.proto';
    expect(fieldsOf(coin, 'Coin')).toEqual(['1 denom TYPE_STRING', '2 amount TYPE_STRING']);
    expect(fieldsOf(coin, 'DecCoin')).toEqual(['1 denom TYPE_STRING', '2 amount TYPE_STRING']);
    expect(fieldsOf(page, 'PageRequest')).toEqual([
      '1 key TYPE_BYTES',
      '2 offset TYPE_UINT64',
      '3 limit TYPE_UINT64',
      '4 count_total TYPE_BOOL',
      '5 reverse TYPE_BOOL',
    ]);
    expect(fieldsOf(page, 'PageResponse')).toEqual(['1 next_key TYPE_BYTES', '2 total TYPE_UINT64']);
  });
});

describe('Hearth protos follow the Cosmos SDK conventions', () => {
  const modules = ['provider', 'market', 'escrow'];

  it('have one Msg and one Query service per module', () => {
    for (const m of modules) {
      expect(file(`hearth/${m}/v1/tx.proto`).service?.map((s) => s.name)).toEqual(['Msg']);
      expect(file(`hearth/${m}/v1/query.proto`).service?.map((s) => s.name)).toEqual(['Query']);
      expect(file(`hearth/${m}/v1/query.proto`).service?.[0]?.method?.map((x) => x.name)).toContain('Params');
    }
  });

  it('mark Msg services and give every Msg a signer field, an amino name and an address scalar', () => {
    const hearthFiles = files.filter((f) => f.name.startsWith('hearth/'));
    const msgServices = hearthFiles
      .flatMap((f) => (f.service ?? []).map((s) => ({ f, s })))
      .filter(({ s }) => s.name === 'Msg');
    expect(msgServices).toHaveLength(modules.length);
    for (const { f, s } of msgServices) {
      expect(s.options?.['[cosmos.msg.v1.service]'], f.name).toBe(true);
      const module = f.package?.split('.')[1];
      for (const method of s.method ?? []) {
        const msgName = method.inputType.split('.').at(-1);
        expect(msgName, method.inputType).toBe(`Msg${method.name}`);
        expect(method.outputType.split('.').at(-1)).toBe(`Msg${method.name}Response`);
        const msg = f.messageType?.find((x) => x.name === msgName);
        if (!msg) throw new Error(`${method.inputType} must be declared in ${f.name}`);
        const signers = msg.options?.['[cosmos.msg.v1.signer]'] as string[] | undefined;
        expect(signers?.length, `${msgName} signer`).toBeGreaterThan(0);
        for (const signer of signers ?? []) {
          const field = msg.field?.find((x) => x.name === signer);
          expect(field?.type, `${msgName}.${signer}`).toBe('TYPE_STRING');
          expect(field?.options?.['[cosmos_proto.scalar]']).toBe('cosmos.AddressString');
        }
        const aminoName = msg.options?.['[amino.name]'] as string | undefined;
        expect(aminoName).toBe(`hearth/x/${module}/${msgName}`);
        // Ledger devices reject amino names longer than 39 characters.
        expect(aminoName?.length ?? 0).toBeLessThanOrEqual(39);
      }
    }
  });
});
