import { readFile } from 'node:fs/promises';
import { getDMMF } from '@prisma/get-dmmf';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/database.js';
import { migrate } from './migrate.js';

/**
 * schema.prisma and the SQL migrations are written by hand, side by side. This test
 * migrates a real database and compares it with Prisma's own reading of the schema
 * (DMMF, computed offline in WASM): tables, columns, types, nullability, enums and
 * indexes. Any drift fails here, naming the difference.
 */

interface Column { type: string; nullable: boolean }
interface Index { unique: boolean; columns: string[] }

// Prisma's default Postgres type per scalar, and native-type attribute → udt name.
const scalarType: Record<string, string> = {
  String: 'text', Int: 'int4', BigInt: 'int8', Float: 'float8', Boolean: 'bool',
  DateTime: 'timestamp(3)', Json: 'jsonb', Decimal: 'numeric', Bytes: 'bytea',
};
const nativeType: Record<string, string> = {
  Text: 'text', VarChar: 'varchar', Uuid: 'uuid', Integer: 'int4', SmallInt: 'int2', BigInt: 'int8',
  DoublePrecision: 'float8', Real: 'float4', Boolean: 'bool', Date: 'date', Timestamp: 'timestamp',
  Timestamptz: 'timestamptz', JsonB: 'jsonb', Json: 'json', ByteA: 'bytea',
};

async function expectedFromSchema() {
  const datamodel = await readFile(new URL('../../../../prisma/schema.prisma', import.meta.url), 'utf8');
  const dmmf = await getDMMF({ datamodel });
  if (!('datamodel' in dmmf)) throw new Error(`schema.prisma does not parse: ${JSON.stringify(dmmf)}`);
  const enums = Object.fromEntries(dmmf.datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]));
  const tables: Record<string, Record<string, Column>> = {};
  const indexes: Record<string, Index> = {};
  for (const model of dmmf.datamodel.models) {
    const table = model.dbName ?? model.name;
    const columnOf = (field: string) => {
      const f = model.fields.find((x) => x.name === field);
      return f?.dbName ?? field;
    };
    tables[table] = {};
    for (const field of model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum')) {
      let type = field.kind === 'enum' ? field.type : scalarType[field.type] ?? `unknown:${field.type}`;
      if (field.nativeType) {
        const [name, args] = field.nativeType as [string, string[]];
        type = nativeType[name] ?? `unknown:${name}`;
        if ((type === 'timestamptz' || type === 'timestamp') && args[0]) type += `(${args[0]})`;
        if (type === 'varchar' && args[0]) type += `(${args[0]})`;
      }
      if (field.isList) type += '[]';
      tables[table][field.dbName ?? field.name] = { type, nullable: !field.isRequired };
    }
    for (const index of dmmf.datamodel.indexes.filter((i) => i.model === model.name)) {
      const columns = index.fields.map((f) => columnOf(f.name));
      const suffix = index.type === 'id' ? 'pkey' : index.type === 'unique' ? 'key' : 'idx';
      const name = index.dbName ?? (index.type === 'id' ? `${table}_pkey` : `${table}_${columns.join('_')}_${suffix}`);
      indexes[name] = { unique: index.type !== 'normal', columns };
    }
  }
  return { enums, tables, indexes };
}

async function actualFromDatabase(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const enumRows = await client.query(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    const columnRows = await client.query(
      `SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable, c.datetime_precision,
              c.character_maximum_length, c.data_type
       FROM information_schema.columns c
       WHERE c.table_schema = 'public' AND c.table_name <> '_prisma_migrations'`,
    );
    const indexRows = await client.query(
      `SELECT i.relname AS name, x.indisunique AS unique, t.relname AS table,
              array(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace ns ON ns.oid = t.relnamespace
       WHERE ns.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
    );
    const enums = Object.fromEntries(enumRows.rows.map((r) => [r.name, r.values]));
    const tables: Record<string, Record<string, Column>> = {};
    for (const r of columnRows.rows) {
      let type: string = r.udt_name.startsWith('_') ? r.udt_name.slice(1) : r.udt_name;
      if (type === 'timestamptz' || type === 'timestamp') type += `(${r.datetime_precision})`;
      if (type === 'varchar' && r.character_maximum_length) type += `(${r.character_maximum_length})`;
      if (r.data_type === 'ARRAY') type += '[]';
      (tables[r.table_name] ??= {})[r.column_name] = { type, nullable: r.is_nullable === 'YES' };
    }
    const indexes = Object.fromEntries(indexRows.rows.map((r) => [r.name, { unique: r.unique, columns: r.columns }]));
    return { enums, tables, indexes };
  } finally {
    await client.end();
  }
}

describe('schema.prisma and the migrations', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    await migrate(db.url);
  });
  afterAll(() => db.drop());

  it('describe the same database', async () => {
    const [expected, actual] = await Promise.all([expectedFromSchema(), actualFromDatabase(db.url)]);
    expect(Object.keys(expected.tables).length).toBeGreaterThan(0);
    expect(actual.enums).toEqual(expected.enums);
    expect(actual.tables).toEqual(expected.tables);
    expect(actual.indexes).toEqual(expected.indexes);
  });
});
