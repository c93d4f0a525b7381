// The reference reader for the round-trip tests: reads a Parquet file with parquet-wasm and prints one column as
// JSON {"type": Arrow type, "rows": N, "dimension": d, "hex": little-endian bytes of the values, row-major}; a
// scalar column as {"type", "values", "metadata"}.
// Usage: node read_parquet.mjs FILE COLUMN
import { readFileSync } from "node:fs";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm/node";

const [file, name] = process.argv.slice(2);
const table = arrow.tableFromIPC(parquet.readParquet(readFileSync(file)).intoIPCStream());
const vector = table.getChild(name);
if (!vector) throw new Error(`no column ${name}`);
if (!vector.type.children || vector.type.children.length === 0) {
  // A scalar column (the pair tables): its values, and the file's key-value metadata.
  const values = Array.from(vector.toArray(), Number);
  console.log(JSON.stringify({ type: String(vector.type), values, metadata: Object.fromEntries(table.schema.metadata) }));
  process.exit(0);
}
const rows = vector.toArray();
const dimension = rows.length === 0 ? 0 : rows[0].length;
const Typed = vector.type.children[0].type.precision === arrow.Precision.DOUBLE ? Float64Array : Float32Array;
const flat = new Typed(rows.length * dimension);
rows.forEach((row, i) => {
  if (row === null || row.length !== dimension) throw new Error(`row ${i} is null or ragged`);
  flat.set(row.toArray ? row.toArray() : row, i * dimension);
});
const hex = Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength).toString("hex");
console.log(JSON.stringify({ type: String(vector.type), element: vector.type.children[0].name, rows: rows.length, dimension, hex }));
