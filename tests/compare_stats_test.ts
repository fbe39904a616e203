// Copyright 2026 the @midstreamer/kit authors. MIT license.

import assert from "node:assert/strict";
import {
  meanInterval,
  rankSumCritical,
  rankSumInterval,
  signedRankCritical,
  signedRankInterval,
  studentCritical95,
} from "../scripts/internal.ts";
import {
  borderline,
  pairedRatio,
  sessionsChange,
  sessionsRatio,
  verdictOf,
} from "../scripts/internal.ts";
import { rng } from "../testing/rng.ts";

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Per-iteration times of one side in `rounds` rounds: a common drift per
 * round (both sides share it), multiplicative noise, and rare slow rounds.
 */
function pairedRounds(
  random: () => number,
  rounds: number,
  ratio: number,
  noise: number,
  hiccups = 0.05,
): { a: number[]; b: number[] } {
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const drift = Math.exp(0.3 * normal(random)); // the machine's speed this round
    const hiccup = () => (random() < hiccups ? 1.5 : 1);
    a.push(1000 * drift * Math.exp(noise * normal(random)) * hiccup());
    b.push(1000 * ratio * drift * Math.exp(noise * normal(random)) * hiccup());
  }
  return { a, b };
}

Deno.test("signed-rank and rank-sum critical values match the published tables", () => {
  // Two-sided 5 %: Wilcoxon signed-rank (Hollander & Wolfe, Table A.4) and
  // Mann–Whitney U (e.g. Siegel & Castellan, Table J).
  const signed: [number, number][] = [[6, 0], [8, 3], [10, 8], [12, 13], [
    20,
    52,
  ], [30, 137]];
  for (const [n, c] of signed) {
    assert.equal(signedRankCritical(n), c, `n = ${n}`);
  }
  assert.equal(signedRankCritical(5), -1, "n = 5 cannot reach 95 %");
  const rankSum: [number, number, number][] = [
    [5, 5, 2],
    [8, 8, 13],
    [10, 10, 23],
    [20, 20, 127],
    [6, 10, 11],
  ];
  for (const [n1, n2, c] of rankSum) {
    assert.equal(rankSumCritical(n1, n2), c, `${n1} × ${n2}`);
  }
  // Beyond the exact range (n > 300) the normal approximation continues the
  // exact values smoothly: one more value adds about (n + 1) / 2 - 1.96 Δsd.
  const step = signedRankCritical(301) - signedRankCritical(300);
  assert.ok(step > 120 && step < 170, `step ${step}`);
});

Deno.test("signedRankInterval: known small case and order independence", () => {
  // Walsh averages of [1, 2, 3, 4, 5, 6] (21 of them), c = 0: the interval is
  // their full range and the estimate their median.
  const r = signedRankInterval([6, 1, 5, 2, 4, 3]);
  assert.equal(r.lo, 1);
  assert.equal(r.hi, 6);
  assert.equal(r.value, 3.5);
  const small = signedRankInterval([1, 2, 3]);
  assert.equal(small.lo, -Infinity, "too few values give no bounded interval");
  assert.equal(small.hi, Infinity);
});

Deno.test("paired intervals cover the true ratio about 95 % of the time", () => {
  const random = rng(14);
  for (
    const [ratio, noise, rounds] of [[1.1, 0.03, 12], [0.8, 0.1, 20], [
      1,
      0.02,
      8,
    ]]
  ) {
    let covered = 0;
    const trials = 1500;
    for (let t = 0; t < trials; t++) {
      const { a, b } = pairedRounds(random, rounds, ratio, noise);
      const r = pairedRatio(a, b);
      if (r.lo <= ratio && ratio <= r.hi) covered++;
    }
    const coverage = covered / trials;
    assert.ok(
      coverage > 0.93 && coverage < 0.99,
      `ratio ${ratio}, noise ${noise}, ${rounds} rounds: coverage ${coverage}`,
    );
  }
});

Deno.test("rank-sum intervals cover the true shift about 95 % of the time", () => {
  const random = rng(15);
  let covered = 0;
  const trials = 1500;
  for (let t = 0; t < trials; t++) {
    const x = Array.from({ length: 12 }, () => 0.05 * normal(random));
    const y = Array.from({ length: 14 }, () => 0.2 + 0.05 * normal(random));
    const r = rankSumInterval(x, y);
    if (r.lo <= 0.2 && 0.2 <= r.hi) covered++;
  }
  const coverage = covered / trials;
  assert.ok(coverage > 0.93 && coverage < 0.985, `coverage ${coverage}`);
});

Deno.test("verdicts: same under heavy noise at ratio 1, slower and faster when clear", () => {
  const random = rng(16);
  let same = 0;
  for (let t = 0; t < 500; t++) {
    const { a, b } = pairedRounds(random, 12, 1, 0.4);
    if (verdictOf(pairedRatio(a, b), 0.05) === "same") same++;
  }
  assert.ok(same >= 485, `${same} of 500 heavy-noise A/A runs were "same"`);
  let slower = 0, faster = 0;
  for (let t = 0; t < 200; t++) {
    const up = pairedRounds(random, 12, 1.2, 0.02, 0);
    if (verdictOf(pairedRatio(up.a, up.b), 0.05) === "slower") slower++;
    const down = pairedRounds(random, 12, 0.8, 0.02, 0);
    if (verdictOf(pairedRatio(down.a, down.b), 0.05) === "faster") faster++;
  }
  assert.equal(slower, 200);
  assert.equal(faster, 200);
  // The rule itself.
  const r = (lo: number, hi: number) => ({
    value: (lo + hi) / 2,
    lo,
    hi,
    rounds: 10,
  });
  assert.equal(verdictOf(r(1.051, 1.2), 0.05), "slower");
  assert.equal(verdictOf(r(1.049, 1.2), 0.05), "same");
  assert.equal(verdictOf(r(0.8, 0.949), 0.05), "faster");
  assert.equal(verdictOf(r(0.8, 0.951), 0.05), "same");
});

Deno.test("sessions: the interval is the hull of the sessions', so a verdict needs every session", () => {
  const random = rng(17);
  // Session 1 finds B 20 % slower, session 2 finds no change: "same".
  const s1 = pairedRounds(random, 10, 1.2, 0.01, 0);
  const s2 = pairedRounds(random, 10, 1, 0.01, 0);
  const split = sessionsRatio([...s1.a, ...s2.a], [...s1.b, ...s2.b], [10, 10]);
  assert.equal(verdictOf(split, 0.05), "same");
  assert.ok(split.lo < 1.02 && split.hi > 1.15, JSON.stringify(split));
  // Both sessions 20 % slower: "slower".
  const s3 = pairedRounds(random, 10, 1.2, 0.01, 0);
  const both = sessionsRatio([...s1.a, ...s3.a], [...s1.b, ...s3.b], [10, 10]);
  assert.equal(verdictOf(both, 0.05), "slower");
  // Against a file: every pair of sessions must agree.
  const ln = (xs: number[]) => xs.map(Math.log);
  const file = [
    ln([1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01]),
    ln([1.3, 1.31, 1.29, 1.3, 1.32, 1.28, 1.3, 1.3]),
  ];
  const now = [ln([1.3, 1.29, 1.31, 1.3, 1.3, 1.31, 1.29, 1.3])];
  assert.equal(verdictOf(sessionsChange(file, now), 0.05), "same");
  assert.equal(verdictOf(sessionsChange([file[0]], now), 0.05), "slower");
});

Deno.test("sessions: from three on, one undecided session is left out, and a narrow dissent still keeps `same`", () => {
  const random = rng(23);
  const join = (ss: { a: number[]; b: number[] }[]) => ({
    a: ss.flatMap((x) => x.a),
    b: ss.flatMap((x) => x.b),
    counts: ss.map((x) => x.a.length),
  });
  const ratio = (ss: { a: number[]; b: number[] }[]) => {
    const j = join(ss);
    return sessionsRatio(j.a, j.b, j.counts, 0.05);
  };
  let slower = 0, vetoed = 0, kept = 0;
  for (let t = 0; t < 50; t++) {
    const steady = () => pairedRounds(random, 12, 1.2, 0.01, 0);
    // One process disturbed for a while: B/A anywhere from 0.7 to 1.4.
    const noisy = pairedRounds(random, 12, 1, 0.2, 0);
    const dissent = pairedRounds(random, 12, 1, 0.01, 0);
    // Two sessions: the hull of both, so the disturbed one vetoes.
    if (verdictOf(ratio([noisy, steady()]), 0.05) === "same") vetoed++;
    // Four: it straddles 1.05 and is left out.
    const four = ratio([noisy, steady(), steady(), steady()]);
    if (verdictOf(four, 0.05) === "slower") slower++;
    // A narrow session that finds no change is not left out: `same`.
    const split = ratio([dissent, steady(), steady(), steady()]);
    if (verdictOf(split, 0.05) === "same") kept++;
  }
  assert.ok(vetoed >= 45, `${vetoed} of 50 vetoed`);
  assert.equal(slower, 50);
  assert.equal(kept, 50);
});

Deno.test("Student t: critical values match the published table, and the mean's interval", () => {
  // Two-sided 95 % values (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
  const published: [number, number][] = [
    [1, 12.706],
    [2, 4.303],
    [3, 3.182],
    [10, 2.228],
    [30, 2.042],
    [40, 2.021],
    [60, 2.0],
    [100, 1.984],
  ];
  for (const [df, t] of published) {
    assert.ok(
      Math.abs(studentCritical95(df) - t) < 6e-4,
      `df ${df}: ${studentCritical95(df)} vs ${t}`,
    );
  }
  assert.throws(() => studentCritical95(0), RangeError);
  // 1, 2, 3: mean 2, standard deviation 1, half-width t(2) / sqrt(3).
  const m = meanInterval([3, 1, 2]);
  assert.equal(m.value, 2);
  assert.ok(Math.abs(m.hi - 2 - 4.3027 / Math.sqrt(3)) < 1e-9, String(m.hi));
  assert.ok(Math.abs(2 - m.lo - 4.3027 / Math.sqrt(3)) < 1e-9, String(m.lo));
  assert.deepEqual(meanInterval([5]), {
    value: 5,
    lo: -Infinity,
    hi: Infinity,
  });
});

Deno.test("sessions: processes that disagree among themselves give no verdict", () => {
  const random = rng(29);
  const ratio = (ss: { a: number[]; b: number[] }[]) =>
    sessionsRatio(
      ss.flatMap((x) => x.a),
      ss.flatMap((x) => x.b),
      ss.map((x) => x.a.length),
      0.05,
    );
  let same = 0, same2 = 0, slower = 0;
  for (let t = 0; t < 50; t++) {
    const at = (r: number, noise = 0.01) =>
      pairedRounds(random, 12, r, noise, 0);
    // Identical code that settles per process (seen on QUIC round trips):
    // every session narrow and below 0.95, but far apart. The hull alone
    // says `faster`; the sessions taken as units do not.
    const lean = [at(0.91), at(0.9), at(0.54), at(0.65)];
    if (verdictOf(ratio(lean), 0.05) === "same") same++;
    // Three decided sessions that disagree (×1.10, ×1.16, ×1.43) and one
    // undecided: it is not left out, so it keeps `same`.
    const split = [at(1.1), at(1.16), at(1.43), at(1, 0.15)];
    if (verdictOf(ratio(split), 0.05) === "same") same2++;
    // Four processes that agree on ×1.12 are still `slower`.
    if (
      verdictOf(ratio([at(1.12), at(1.12), at(1.12), at(1.12)]), 0.05) ===
        "slower"
    ) slower++;
  }
  assert.equal(same, 50);
  assert.ok(same2 >= 45, `${same2} of 50 same`);
  assert.equal(slower, 50);
});

Deno.test("sessions: three sessions, one undecided left out, keep a verdict the other two agree on", () => {
  const random = rng(31);
  let slower = 0;
  for (let t = 0; t < 50; t++) {
    const ss = [
      pairedRounds(random, 12, 1.1, 0.01, 0),
      pairedRounds(random, 12, 1.12, 0.01, 0),
      pairedRounds(random, 12, 1, 0.2, 0),
    ];
    const r = sessionsRatio(
      ss.flatMap((x) => x.a),
      ss.flatMap((x) => x.b),
      ss.map((x) => x.a.length),
      0.05,
    );
    if (verdictOf(r, 0.05) === "slower") slower++;
  }
  // The disturbed session straddles 1.05 in nearly every trial.
  assert.ok(slower >= 45, `${slower} of 50 slower`);
});

Deno.test("borderline: a median beyond the threshold whose interval is not", () => {
  const r = (value: number, lo: number, hi: number) => ({
    value,
    lo,
    hi,
    rounds: 10,
  });
  assert.equal(borderline(r(1.08, 1.01, 1.2), 0.05), true);
  assert.equal(borderline(r(0.9, 0.8, 0.99), 0.05), true);
  assert.equal(borderline(r(1.04, 0.9, 1.2), 0.05), false);
  assert.equal(borderline(r(1.1, 1.06, 1.2), 0.05), false, "already slower");
  assert.equal(borderline(r(0.9, 0.85, 0.94), 0.05), false, "already faster");
});
