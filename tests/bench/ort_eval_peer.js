// The ONNX Runtime peer of bench_eval's fullEvaluation: the bundled sample model on its
// 1,000 IDX images, preprocessed the same way ((x/255 - 0.286)/0.353), in batches of BATCH
// (default 32) on THREADS intra-op threads (default 1), argmax per image.
// Prints {"images_per_s": ..., "median_ms": ..., "cpu_ms": ... (process CPU time of the median
// run), "correct": ..., "threads": ..., "batch": ...}; with PREDICTIONS = "predictions" also
// "predictions": the argmax of each image in file order (tests compare them per image).
//   node tests/bench/ort_eval_peer.js SAMPLE_DIR [REPEATS] [THREADS] [BATCH] [PREDICTIONS]
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, '..', 'ort', 'node_modules', 'onnxruntime-node'));

async function main() {
  const dir = process.argv[2];
  const repeats = Number(process.argv[3] || 5);
  const threads = Number(process.argv[4] || 1);
  const batch = Number(process.argv[5] || 32);
  const keepPredictions = process.argv[6] === 'predictions';
  const predictions = [];
  const images = fs.readFileSync(path.join(dir, 'fashion-mnist-test-1000-images-idx3-ubyte'));
  const labels = fs.readFileSync(path.join(dir, 'fashion-mnist-test-1000-labels-idx1-ubyte'));
  const n = images.readUInt32BE(4);
  const px = 28 * 28;
  const session = await ort.InferenceSession.create(path.join(dir, 'fashion_cnn.onnx'),
    {intraOpNumThreads: threads, interOpNumThreads: 1});
  const times = [];
  let correct = 0;
  for (let rep = 0; rep < repeats; ++rep) {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    correct = 0;
    for (let b = 0; b < n; b += batch) {
      const m = Math.min(batch, n - b);
      const data = new Float32Array(m * px);
      for (let i = 0; i < m * px; ++i)
        data[i] = (images[16 + b * px + i] / 255 - 0.286) / 0.353;
      const out = await session.run({[session.inputNames[0]]: new ort.Tensor('float32', data, [m, 1, 28, 28])});
      const logits = out[session.outputNames[0]].data;
      for (let i = 0; i < m; ++i) {
        let best = 0;
        for (let c = 1; c < 10; ++c)
          if (logits[i * 10 + c] > logits[i * 10 + best]) best = c;
        if (best === labels[8 + b + i]) ++correct;
        if (keepPredictions && rep === 0) predictions.push(best);
      }
    }
    const used = process.cpuUsage(cpu);
    times.push([Number(process.hrtime.bigint() - start) / 1e6, (used.user + used.system) / 1000]);
  }
  times.sort((a, b) => a[0] - b[0]);
  const [median, cpuMs] = times[Math.floor(times.length / 2)];
  const result = {images_per_s: n / (median / 1000), median_ms: median, cpu_ms: cpuMs, correct, threads, batch};
  if (keepPredictions) result.predictions = predictions;
  console.log(JSON.stringify(result));
}

main().catch((e) => { console.error(String(e)); process.exit(1); });
