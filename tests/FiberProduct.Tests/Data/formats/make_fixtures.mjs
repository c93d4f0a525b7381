// Writes the Parquet fixtures of tests/FiberProduct.Tests/Formats with the reference Arrow stack: Apache Arrow for
// JavaScript builds the tables, parquet-wasm (the Rust arrow and parquet crates compiled to WebAssembly) writes them.
// List columns are declared as list<element: float> — the child named "element", as pyarrow (and so Hugging Face
// datasets) writes them — which the parquet crate stores with the standard 3-level LIST encoding:
//   optional group <name> (LIST) { repeated group list { optional float element; } }
// Run: npm ci && node make_fixtures.mjs   (in this folder; the files are committed, this only regenerates them)
import { writeFileSync } from "node:fs";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm/node";
import { N, D, value } from "./values.mjs";

const listOf = (type) => new arrow.List(new arrow.Field("element", type, true));
const fixedListOf = (type, size) => new arrow.FixedSizeList(size, new arrow.Field("element", type, true));

function column(type, rows) {
  return arrow.vectorFromArray(rows, type);
}

function rows(m, wide, n = N, d = D) {
  return Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, k) => value(i, k, m, wide)));
}

function write(name, columns, { compression = parquet.Compression.SNAPPY, rowGroupSize } = {}) {
  const table = new arrow.Table(columns);
  let builder = new parquet.WriterPropertiesBuilder().setCompression(compression);
  if (rowGroupSize) builder = builder.setMaxRowGroupSize(rowGroupSize);
  const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, "stream")), builder.build());
  writeFileSync(new URL(name, import.meta.url), bytes);
  console.log(`${name}: ${bytes.length} bytes, ${table.schema.fields.map((f) => `${f.name}: ${f.type}`).join(", ")}`);
}

const ids = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => BigInt(i)), new arrow.Int64());
const captions = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => `caption ${i}`), new arrow.Utf8());

// A Hugging Face-style paired table: an id, a caption, and one embedding column per modality (float32, snappy).
write("pairs_f32.parquet", {
  id: ids,
  caption: captions,
  image_embedding: column(listOf(new arrow.Float32()), rows(0, false)),
  text_embedding: column(listOf(new arrow.Float32()), rows(1, false)),
});

// float64 lists, zstd, two rows per row group: precision is kept and row groups are concatenated in order.
write("pairs_f64.parquet", {
  image_embedding: column(listOf(new arrow.Float64()), rows(0, true)),
  text_embedding: column(listOf(new arrow.Float64()), rows(1, true)),
}, { compression: parquet.Compression.ZSTD, rowGroupSize: 2 });

// Fixed-size lists (datasets' Sequence(feature, length=d) becomes fixed_size_list in Arrow), uncompressed.
write("fixed_size_f32.parquet", {
  embedding: column(fixedListOf(new arrow.Float32(), D), rows(0, false)),
}, { compression: parquet.Compression.UNCOMPRESSED });

// Columns that are not embeddings, one defect each; the tests expect each to fail naming file, column and row.
const good = rows(0, false);
write("bad_columns.parquet", {
  ragged: column(listOf(new arrow.Float32()), good.map((r, i) => (i === 3 ? r.slice(0, 3) : r))),
  null_row: column(listOf(new arrow.Float32()), good.map((r, i) => (i === 2 ? null : r))),
  null_value: column(listOf(new arrow.Float32()), good.map((r, i) => (i === 4 ? [r[0], null, r[2], r[3]] : r))),
  nan: column(listOf(new arrow.Float32()), good.map((r, i) => (i === 1 ? [r[0], r[1], NaN, r[3]] : r))),
  infinity: column(listOf(new arrow.Float64()), good.map((r, i) => (i === 2 ? [r[0], -Infinity, r[2], r[3]] : r))),
  empty_list: column(listOf(new arrow.Float32()), good.map((r, i) => (i === 0 ? [] : r))),
  ints: column(listOf(new arrow.Int32()), good.map((r, i) => r.map((_, k) => i * D + k))),
  scalar: column(new arrow.Float32(), good.map((r) => r[1])),
  caption: captions,
});
