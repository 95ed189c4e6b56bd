// The demo's NUTS worker (a module Web Worker): the page posts
// { model, data, options } — the fitted BG/NBD model as JSON, the customers'
// frequency, recency and T, and the sampler options — and this worker
// samples the BG/NBD posterior with @clv/wasm's `sample` (the clv core's
// NUTS), so that the page's own thread never runs the sampler and stays
// responsive. It posts
//   { type: 'progress', chain, chains, done, total, divergences }  (sample's onProgress)
//   { type: 'done', draws, summary, divergences, n, ms }            (draws: the posterior as JSON)
//   { type: 'error', code, message }
// The page computes the CLV intervals from the draws. Cancelling is the
// page's: it terminates the worker.
import init, { BetaGeo } from '../pkg-web/clv_wasm.js';

const ready = init();

self.onmessage = async ({ data: job }) => {
  try {
    await ready;
    const t0 = performance.now();
    const post = BetaGeo.fromJSON(job.model).sample(job.data, {
      ...job.options,
      onProgress: (p) => self.postMessage({ type: 'progress', ...p }),
    });
    self.postMessage({
      type: 'done', draws: post.toJSON(), summary: post.summary(), divergences: post.divergences, n: post.n,
      ms: performance.now() - t0,
    });
  } catch (e) {
    self.postMessage({ type: 'error', code: e?.code ?? null, message: String(e?.message ?? e) });
  }
};
