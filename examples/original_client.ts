// Copyright 2026 the @midstreamer/kit authors. MIT license.
//
// The client code of the original design document ("Midstreamer Performance
// Benchmarking Suite", sections 1.2, 2.2, 4 and 5), unchanged except for
// TypeScript parameter types, running on @midstreamer/kit. The only switch
// is one line of import map, mapping the original's specifier to the kit:
//
//   { "imports": { "@midstreamer/core": "jsr:@midstreamer/kit/core" } }
//
// In this repository, examples/import_map.json maps it to ../core/mod.ts:
//
//   deno run -A --import-map examples/import_map.json examples/original_client.ts
//
// The document uses helpers it does not define (generatePattern,
// generateMarketPattern, generateSignalHistory, generateTimeframePattern,
// calculateGrowthRate); they are written here, marked "helper". The
// pure-JS baselines (PureJSDTW, PureJSLCS) are the document's, kept in
// @midstreamer/kit/baseline. The classes are exported for
// tests/core_original_client_test.ts.

// The document's code is kept as written: async functions without `await`,
// results computed and not used.
// deno-lint-ignore-file require-await no-unused-vars

import process from "node:process";
import { PureJSDTW, PureJSLCS } from "@midstreamer/kit/baseline";

type Signal = string;

/** A random walk of `n` points (helper). */
function randomWalk(n: number): Float64Array {
  const out = new Float64Array(n);
  let x = 100;
  for (let i = 0; i < n; i++) out[i] = x += Math.random() - 0.5;
  return out;
}

// 1.2 WASM Implementation (via midstreamer)

export class WasmDTW {
  /**
   * WASM-accelerated DTW with SIMD optimizations
   * @param {Float64Array} pattern1 - First time series
   * @param {Float64Array} pattern2 - Second time series
   * @returns {Promise<number>} DTW distance
   */
  static async calculate(pattern1: Float64Array, pattern2: Float64Array) {
    const { StreamProcessor } = await import("@midstreamer/core");

    const processor = new StreamProcessor({
      mode: "pattern_matching",
      algorithm: "dtw",
      simd: true,
    });

    return processor.computeDTW(pattern1, pattern2);
  }

  /**
   * Batch DTW computation (vectorized)
   * @param {Float64Array} reference - Reference pattern
   * @param {Float64Array[]} patterns - Array of patterns to compare
   * @returns {Promise<Float64Array>} Array of DTW distances
   */
  static async batchCalculate(
    reference: Float64Array,
    patterns: Float64Array[],
  ) {
    const { StreamProcessor } = await import("@midstreamer/core");

    const processor = new StreamProcessor({
      mode: "pattern_matching",
      algorithm: "dtw_batch",
      simd: true,
      parallelism: "auto",
    });

    return processor.batchDTW(reference, patterns);
  }
}

// 2.2 WASM LCS Implementation

export class WasmLCS {
  /**
   * WASM-accelerated LCS with bit-parallel optimizations
   * @param {string[]} strategies1 - First strategy sequence
   * @param {string[]} strategies2 - Second strategy sequence
   * @returns {Promise<number>} LCS length
   */
  static async calculate(strategies1: string[], strategies2: string[]) {
    const { StreamProcessor } = await import("@midstreamer/core");

    const processor = new StreamProcessor({
      mode: "correlation",
      algorithm: "lcs",
      bitParallel: true,
    });

    return processor.computeLCS(strategies1, strategies2);
  }

  /**
   * Parallel correlation matrix computation
   * @param {string[][]} strategies - Array of strategy sequences
   * @returns {Promise<Float64Array>} Flattened correlation matrix
   */
  static async buildCorrelationMatrix(strategies: string[][]) {
    const { StreamProcessor } = await import("@midstreamer/core");

    const processor = new StreamProcessor({
      mode: "correlation_matrix",
      algorithm: "parallel_lcs",
      workers: "auto",
    });

    return processor.correlationMatrix(strategies);
  }
}

// 4.1 Pattern Matching Pipeline

export class PatternMatchingBenchmark {
  /**
   * Complete pattern matching workflow
   */
  static async benchmarkPipeline(mode: "current" | "wasm") {
    const pipeline = {
      "current": async (patterns: Float64Array[], reference: Float64Array) => {
        // Current pure JS implementation
        const matches = [];
        for (const pattern of patterns) {
          const distance = PureJSDTW.calculate(pattern, reference);
          matches.push({ pattern, distance });
        }
        return matches.sort((a, b) => a.distance - b.distance).slice(0, 10);
      },

      "wasm": async (patterns: Float64Array[], reference: Float64Array) => {
        // WASM-accelerated implementation
        const { StreamProcessor } = await import("@midstreamer/core");
        const processor = new StreamProcessor({
          mode: "pattern_matching",
          topK: 10,
          simd: true,
        });

        return processor.findTopMatches(reference, patterns);
      },
    };

    return pipeline[mode];
  }

  /**
   * Test with realistic market data
   */
  static async testWithMarketData(patternCount: number, patternLength: number) {
    const reference = this.generateMarketPattern(patternLength);
    const patterns = Array(patternCount).fill(null).map(() =>
      this.generateMarketPattern(patternLength)
    );

    const currentPipeline = await this.benchmarkPipeline("current");
    const wasmPipeline = await this.benchmarkPipeline("wasm");

    const currentStart = performance.now();
    await currentPipeline(patterns, reference);
    const currentTime = performance.now() - currentStart;

    const wasmStart = performance.now();
    await wasmPipeline(patterns, reference);
    const wasmTime = performance.now() - wasmStart;

    return {
      current: currentTime,
      wasm: wasmTime,
      speedup: currentTime / wasmTime,
    };
  }

  /** Helper: a price series, a random walk. */
  static generateMarketPattern(length: number): Float64Array {
    return randomWalk(length);
  }
}

// 4.2 Strategy Optimization Benchmark

export class StrategyOptimizationBenchmark {
  /**
   * Multi-agent strategy correlation and optimization
   */
  static async benchmarkOptimization(
    agentCount: number,
    signalHistory: number,
  ) {
    const agents = Array(agentCount).fill(null).map((_, i) => ({
      id: `agent-${i}`,
      signals: this.generateSignalHistory(signalHistory),
    }));

    // Current implementation
    const currentStart = performance.now();
    const currentMatrix = PureJSLCS.buildCorrelationMatrix(
      agents.map((a) => a.signals),
    );
    const currentTime = performance.now() - currentStart;

    // WASM implementation
    const wasmStart = performance.now();
    const wasmMatrix = await WasmLCS.buildCorrelationMatrix(
      agents.map((a) => a.signals),
    );
    const wasmTime = performance.now() - wasmStart;

    return {
      current: currentTime,
      wasm: wasmTime,
      speedup: currentTime / wasmTime,
      matrixSize: agentCount * agentCount,
    };
  }

  /** Helper: a history of trading signals. */
  static generateSignalHistory(length: number): Signal[] {
    const kinds = ["BUY", "SELL", "HOLD"];
    return Array.from({ length }, () => kinds[Math.floor(Math.random() * 3)]);
  }
}

// 4.3 Multi-Timeframe Alignment

export class MultiTimeframeBenchmark {
  /**
   * Align patterns across multiple timeframes
   */
  static async benchmarkAlignment(timeframes: number[], patternLength: number) {
    const patterns = timeframes.map((tf) =>
      this.generateTimeframePattern(tf, patternLength)
    );

    // Current: Sequential DTW alignment
    const currentStart = performance.now();
    for (let i = 0; i < patterns.length - 1; i++) {
      PureJSDTW.calculate(patterns[i], patterns[i + 1]);
    }
    const currentTime = performance.now() - currentStart;

    // WASM: Parallel alignment
    const { StreamProcessor } = await import("@midstreamer/core");
    const processor = new StreamProcessor({
      mode: "multi_timeframe",
      parallel: true,
    });

    const wasmStart = performance.now();
    await processor.alignTimeframes(patterns);
    const wasmTime = performance.now() - wasmStart;

    return {
      current: currentTime,
      wasm: wasmTime,
      speedup: currentTime / wasmTime,
      timeframeCount: timeframes.length,
    };
  }

  /** Helper: `length` bars of `timeframe` minutes, each the mean of its minutes. */
  static generateTimeframePattern(
    timeframe: number,
    length: number,
  ): Float64Array {
    const minutes = randomWalk(timeframe * length);
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      let s = 0;
      for (let j = 0; j < timeframe; j++) s += minutes[i * timeframe + j];
      out[i] = s / timeframe;
    }
    return out;
  }
}

// 5.1 Concurrent Pattern Matching

export class LoadTest {
  /**
   * Test with 1000+ concurrent pattern matches
   */
  static async testConcurrentMatches(concurrency: number, patternSize: number) {
    const { StreamProcessor } = await import("@midstreamer/core");

    const processor = new StreamProcessor({
      mode: "high_concurrency",
      maxConcurrent: concurrency,
      queueSize: concurrency * 2,
    });

    const reference = this.generatePattern(patternSize);
    const requests = Array(concurrency).fill(null).map((_, i) => ({
      id: i,
      pattern: this.generatePattern(patternSize),
    }));

    const start = performance.now();
    const startMemory = process.memoryUsage();

    const results = await Promise.all(
      requests.map((req) => processor.matchPattern(reference, req.pattern)),
    );

    const end = performance.now();
    const endMemory = process.memoryUsage();

    return {
      totalTime: end - start,
      throughput: concurrency / ((end - start) / 1000), // patterns/sec
      avgLatency: (end - start) / concurrency,
      memoryDelta: {
        rss: endMemory.rss - startMemory.rss,
        heapUsed: endMemory.heapUsed - startMemory.heapUsed,
      },
    };
  }

  /**
   * Sustained throughput test
   */
  static async testSustainedThroughput(duration: number, patternSize: number) {
    const { StreamProcessor } = await import("@midstreamer/core");

    const processor = new StreamProcessor({
      mode: "streaming",
      bufferSize: 10000,
    });

    let completed = 0;
    const reference = this.generatePattern(patternSize);
    const endTime = Date.now() + duration;

    while (Date.now() < endTime) {
      const pattern = this.generatePattern(patternSize);
      await processor.matchPattern(reference, pattern);
      completed++;
    }

    return {
      duration: duration,
      completed: completed,
      throughput: completed / (duration / 1000), // patterns/sec
    };
  }

  /** Helper: a random series of `size` points. */
  static generatePattern(size: number): Float64Array {
    return randomWalk(size);
  }
}

// 5.2 Memory Usage Under Load

interface Snapshot {
  iteration: number;
  memory: ReturnType<typeof process.memoryUsage>;
  timestamp: number;
}

export class MemoryBenchmark {
  /**
   * Profile memory usage patterns
   */
  static async profileMemory(operationCount: number, patternSize: number) {
    const snapshots: Snapshot[] = [];
    const { StreamProcessor } = await import("@midstreamer/core");

    const processor = new StreamProcessor({
      mode: "pattern_matching",
      memoryLimit: "1GB",
    });

    const reference = this.generatePattern(patternSize);

    for (let i = 0; i < operationCount; i++) {
      if (i % 100 === 0) {
        snapshots.push({
          iteration: i,
          memory: process.memoryUsage(),
          timestamp: Date.now(),
        });
      }

      const pattern = this.generatePattern(patternSize);
      await processor.matchPattern(reference, pattern);
    }

    return {
      snapshots: snapshots,
      peakRSS: Math.max(...snapshots.map((s) => s.memory.rss)),
      peakHeap: Math.max(...snapshots.map((s) => s.memory.heapUsed)),
      growthRate: this.calculateGrowthRate(snapshots),
    };
  }

  /** Helper: a random series of `size` points. */
  static generatePattern(size: number): Float64Array {
    return randomWalk(size);
  }

  /** Helper: RSS growth in MB per 1000 operations, first to last snapshot. */
  static calculateGrowthRate(snapshots: Snapshot[]): number {
    if (snapshots.length < 2) return 0;
    const first = snapshots[0];
    const last = snapshots[snapshots.length - 1];
    const mb = (last.memory.rss - first.memory.rss) / (1024 * 1024);
    return mb / ((last.iteration - first.iteration) / 1000);
  }
}

/** Runs the document's benchmarks at small sizes and prints what they return. */
async function main(): Promise<void> {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const x = (s: number) => `${s.toFixed(1)}x`;

  const a = randomWalk(1000);
  const b = randomWalk(1000);
  const distance = await WasmDTW.calculate(a, b);
  console.log(
    `WasmDTW.calculate (1000 points): ${distance} (PureJSDTW: ${
      PureJSDTW.calculate(a, b)
    })`,
  );
  const batch = await WasmDTW.batchCalculate(a, [b, a, randomWalk(500)]);
  console.log(`WasmDTW.batchCalculate: [${Array.from(batch).join(", ")}]`);
  const s1 = StrategyOptimizationBenchmark.generateSignalHistory(200);
  const s2 = StrategyOptimizationBenchmark.generateSignalHistory(200);
  console.log(
    `WasmLCS.calculate (200 signals): ${await WasmLCS.calculate(
      s1,
      s2,
    )} (PureJSLCS: ${PureJSLCS.calculate(s1, s2)})`,
  );

  const p = await PatternMatchingBenchmark.testWithMarketData(300, 200);
  console.log(
    `Pattern matching (300 patterns, length 200): current ${
      ms(p.current)
    }, wasm ${ms(p.wasm)}, ${x(p.speedup)}`,
  );
  const o = await StrategyOptimizationBenchmark.benchmarkOptimization(30, 200);
  console.log(
    `Strategy optimization (30 agents, 200 signals): current ${
      ms(o.current)
    }, wasm ${ms(o.wasm)}, ${x(o.speedup)}`,
  );
  const t = await MultiTimeframeBenchmark.benchmarkAlignment(
    [1, 5, 15, 60, 240],
    500,
  );
  console.log(
    `Multi-timeframe alignment (5 timeframes, 500 points): current ${
      ms(t.current)
    }, wasm ${ms(t.wasm)}, ${x(t.speedup)}`,
  );
  const c = await LoadTest.testConcurrentMatches(1000, 200);
  console.log(
    `Concurrent matches (1000, 200 points): ${ms(c.totalTime)}, ${
      c.throughput.toFixed(0)
    } patterns/s, avg ${c.avgLatency.toFixed(3)} ms`,
  );
  const s = await LoadTest.testSustainedThroughput(1000, 200);
  console.log(
    `Sustained throughput (1 s, 200 points): ${s.completed} completed, ${
      s.throughput.toFixed(0)
    } patterns/s`,
  );
  const m = await MemoryBenchmark.profileMemory(1000, 200);
  console.log(
    `Memory profile (1000 ops, 200 points): peak RSS ${
      (m.peakRSS / 2 ** 20).toFixed(0)
    } MB, peak heap ${(m.peakHeap / 2 ** 20).toFixed(0)} MB, growth ${
      m.growthRate.toFixed(2)
    } MB/1000 ops`,
  );
}

if (import.meta.main) await main();
