// Runs an ONNX model in ONNX Runtime (CPU) as an independent reference:
//   node tests/ort/run.js MODEL INPUT.bin DIMS OUTPUT.bin
// INPUT.bin is raw little-endian float32 with shape DIMS ("1,3,224,224"); the first
// output is written to OUTPUT.bin as raw float32. Exit 1 with the error on failure.
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, input, dims, output] = process.argv.slice(2);
  if (!output) {
    console.error('usage: node run.js MODEL INPUT.bin DIMS OUTPUT.bin');
    process.exit(2);
  }
  const session = await ort.InferenceSession.create(model, {graphOptimizationLevel: 'disabled'});
  const bytes = fs.readFileSync(input);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const shape = dims.split(',').map(Number);
  const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', data, shape)};
  const results = await session.run(feeds);
  const out = results[session.outputNames[0]];
  fs.writeFileSync(output, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
}

main().catch((e) => {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
});
