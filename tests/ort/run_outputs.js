// Runs an ONNX model in ONNX Runtime (CPU) and writes every graph output:
//   node tests/ort/run_outputs.js MODEL INPUT.bin DIMS OUTDIR
// INPUT.bin is raw little-endian float32 with shape DIMS ("48,1,28,28") for the model's
// first input. OUTDIR/outputs.txt gets one line per output, "<index> <name> <d0,d1,...>",
// and OUTDIR/<index>.bin its raw float32 values. Exit 1 with the error on failure.
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const [model, input, dims, outDir] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: node run_outputs.js MODEL INPUT.bin DIMS OUTDIR');
    process.exit(2);
  }
  const session = await ort.InferenceSession.create(model, {graphOptimizationLevel: 'disabled'});
  const bytes = fs.readFileSync(input);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const shape = dims.split(',').map(Number);
  const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', data, shape)};
  const results = await session.run(feeds);
  const lines = [];
  session.outputNames.forEach((name, i) => {
    const out = results[name];
    if (out.type !== 'float32') throw new Error(`output ${name} is ${out.type}, not float32`);
    fs.writeFileSync(path.join(outDir, `${i}.bin`),
                     Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
    lines.push(`${i} ${name} ${out.dims.join(',')}`);
  });
  fs.writeFileSync(path.join(outDir, 'outputs.txt'), lines.join('\n') + '\n');
}

main().catch((e) => {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
});
