import { dtw } from "./mod.ts";
const walk = (n: number, s: number) => { const a = new Float64Array(n); let x = 0; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; x += s / 2147483648 - 0.5; a[i] = x; } return a; };
const N = 1000; const a = walk(N, 1), b = walk(N, 2);
for (let round = 0; round < 5; round++) {
  const t0 = performance.now(); for (let i = 0; i < 200; i++) dtw(a, b); const dt = (performance.now() - t0) / 200;
  console.log(round, (dt * 1e6 / (N * N)).toFixed(3), "ns/cell");
}
