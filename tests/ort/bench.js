// Latency of an ONNX model in ONNX Runtime (CPU, onnxruntime-node), for topiary-cli bench
// and BENCHMARKS.md:
//   node tests/ort/bench.js MODEL DIMS RUNS WARMUP THREADS [verbose]
// Runs one random float input of shape DIMS ("1,3,224,224") WARMUP times, then RUNS times,
// with graph optimizations on (level "all") and THREADS intra-op threads (one inter-op,
// sequential). Prints one JSON line: {"median_ms", "min_ms", "runs", "threads", "ms": [...]}.
// With "verbose", ORT logs on stderr what it does, among it each QDQ node group it fuses into
// an integer kernel ("Matched Conv": QLinearConv); onnxruntime-node 1.20 cannot save the
// optimized model or a profile, so the tests read this log.
const ort = require('onnxruntime-node');

async function main() {
  const [model, dims, runsText, warmupText, threadsText, verbose] = process.argv.slice(2);
  if (!threadsText) {
    console.error('usage: node bench.js MODEL DIMS RUNS WARMUP THREADS [verbose]');
    process.exit(2);
  }
  const options = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: Number(threadsText),
    interOpNumThreads: 1,
  };
  if (verbose === 'verbose') {
    ort.env.logLevel = 'verbose';
    options.logSeverityLevel = 0;
  } else {
    options.logSeverityLevel = 3; // no warnings about initializers ORT's fusions left unused
  }
  const session = await ort.InferenceSession.create(model, options);
  const shape = dims.split(',').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  let seed = 12345;
  for (let i = 0; i < count; ++i) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    data[i] = seed / 2147483648 * 2 - 1;
  }
  const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', data, shape)};
  for (let i = 0; i < Number(warmupText); ++i) await session.run(feeds);
  const ms = [];
  for (let i = 0; i < Number(runsText); ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  console.log(JSON.stringify({median_ms: median, min_ms: sorted[0], runs: ms.length,
    threads: Number(threadsText), ms}));
}

main().catch((e) => {
  console.error(String(e && e.message ? e.message : e));
  process.exit(1);
});
