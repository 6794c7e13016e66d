/**
 * The hot loops of recommend/als.ts, in AssemblyScript compiled to WebAssembly with 128-bit SIMD:
 * each member or item half-step's conjugate-gradient solves, a Gramian's rows, and the loss over
 * the matrix's entries. It knows only byte offsets into one linear memory, which
 * recommend/kernel/kernel.ts lays out and shares between Workers; `deno task kernel` builds it
 * into als_kernel_wasm.ts. Not a Deno module: `deno check` never reaches it.
 *
 * Every double is 8 bytes; a vector of k doubles is read two at a time (f64x2). Sums keep four
 * running partial sums so that additions overlap. For k = 2 every sum is added in the same order
 * as a plain left-to-right loop, so a 2-factor model is the same, bit for bit, as before.
 *
 * @example
 * // From recommend/kernel/kernel.ts, with pointers from its layout:
 * exports.solveRows(start, index, weight, shifts, from, to, fixed, solved, base, scratch, k, alpha, extra, steps);
 */

/** A row whose squared residual is at or below this has converged: no more steps. */
const tolerance: f64 = 1e-20;

/** Σ a[i]·b[i] over k doubles. */
function dot(a: usize, b: usize, k: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= k; i += 8) {
    const o = <usize> i << 3;
    s0 = f64x2.add(s0, f64x2.mul(v128.load(a + o), v128.load(b + o)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
    s2 = f64x2.add(s2, f64x2.mul(v128.load(a + o, 32), v128.load(b + o, 32)));
    s3 = f64x2.add(s3, f64x2.mul(v128.load(a + o, 48), v128.load(b + o, 48)));
  }
  for (; i + 2 <= k; i += 2) {
    const o = <usize> i << 3;
    s0 = f64x2.add(s0, f64x2.mul(v128.load(a + o), v128.load(b + o)));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < k; i++) {
    const o = <usize> i << 3;
    total += load<f64>(a + o) * load<f64>(b + o);
  }
  return total;
}

/** out[i] += scale · v[i] over k doubles. */
function addScaled(out: usize, v: usize, scale: f64, k: i32): void {
  const s = f64x2.splat(scale);
  let i = 0;
  for (; i + 4 <= k; i += 4) {
    const o = <usize> i << 3;
    v128.store(out + o, f64x2.add(v128.load(out + o), f64x2.mul(s, v128.load(v + o))));
    v128.store(out + o, f64x2.add(v128.load(out + o, 16), f64x2.mul(s, v128.load(v + o, 16))), 16);
  }
  for (; i + 2 <= k; i += 2) {
    const o = <usize> i << 3;
    v128.store(out + o, f64x2.add(v128.load(out + o), f64x2.mul(s, v128.load(v + o))));
  }
  for (; i < k; i++) {
    const o = <usize> i << 3;
    store<f64>(out + o, load<f64>(out + o) + scale * load<f64>(v + o));
  }
}

/** The second result of `dotPair`: a function returns one value, and the pair's runs in one loop. */
let secondDot: f64 = 0;

/**
 * a·v, returned, and b·v, left in `secondDot`: each summed exactly as `dot` sums it, in one loop,
 * so that the two sums' additions overlap.
 */
function dotPair(a: usize, b: usize, v: usize, k: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let t0 = f64x2.splat(0), t1 = f64x2.splat(0), t2 = f64x2.splat(0), t3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= k; i += 8) {
    const o = <usize> i << 3;
    const v0 = v128.load(v + o);
    const v1 = v128.load(v + o, 16);
    const v2 = v128.load(v + o, 32);
    const v3 = v128.load(v + o, 48);
    s0 = f64x2.add(s0, f64x2.mul(v128.load(a + o), v0));
    t0 = f64x2.add(t0, f64x2.mul(v128.load(b + o), v0));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(a + o, 16), v1));
    t1 = f64x2.add(t1, f64x2.mul(v128.load(b + o, 16), v1));
    s2 = f64x2.add(s2, f64x2.mul(v128.load(a + o, 32), v2));
    t2 = f64x2.add(t2, f64x2.mul(v128.load(b + o, 32), v2));
    s3 = f64x2.add(s3, f64x2.mul(v128.load(a + o, 48), v3));
    t3 = f64x2.add(t3, f64x2.mul(v128.load(b + o, 48), v3));
  }
  for (; i + 2 <= k; i += 2) {
    const o = <usize> i << 3;
    const v0 = v128.load(v + o);
    s0 = f64x2.add(s0, f64x2.mul(v128.load(a + o), v0));
    t0 = f64x2.add(t0, f64x2.mul(v128.load(b + o), v0));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  const t = f64x2.add(f64x2.add(t0, t1), f64x2.add(t2, t3));
  let first = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let second = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; i < k; i++) {
    const o = <usize> i << 3;
    const vi = load<f64>(v + o);
    first += load<f64>(a + o) * vi;
    second += load<f64>(b + o) * vi;
  }
  secondDot = second;
  return first;
}

/** out[i] = (out[i] + p · a[i]) + q · b[i]: `addScaled` twice, in one pass over `out`. */
function addScaledPair(out: usize, a: usize, p: f64, b: usize, q: f64, k: i32): void {
  const sp = f64x2.splat(p);
  const sq = f64x2.splat(q);
  let i = 0;
  for (; i + 4 <= k; i += 4) {
    const o = <usize> i << 3;
    const g = f64x2.add(v128.load(out + o), f64x2.mul(sp, v128.load(a + o)));
    const h = f64x2.add(v128.load(out + o, 16), f64x2.mul(sp, v128.load(a + o, 16)));
    v128.store(out + o, f64x2.add(g, f64x2.mul(sq, v128.load(b + o))));
    v128.store(out + o, f64x2.add(h, f64x2.mul(sq, v128.load(b + o, 16))), 16);
  }
  for (; i + 2 <= k; i += 2) {
    const o = <usize> i << 3;
    const g = f64x2.add(v128.load(out + o), f64x2.mul(sp, v128.load(a + o)));
    v128.store(out + o, f64x2.add(g, f64x2.mul(sq, v128.load(b + o))));
  }
  for (; i < k; i++) {
    const o = <usize> i << 3;
    store<f64>(out + o, load<f64>(out + o) + p * load<f64>(a + o) + q * load<f64>(b + o));
  }
}

/**
 * out += Σ sᵢ yᵢ over entries [begin, end) of a row, yᵢ the `fixed` vector of entry i, with
 * sᵢ = cᵢ − (cᵢ − α₀)(yᵢ·v) when `residual` (the residual's data term, v = x) and
 * sᵢ = (cᵢ − α₀)(yᵢ·v) otherwise (A·v's data term), cᵢ = 1 + α·wᵢ and cᵢ − α₀ = extra + α·wᵢ.
 * Entries go two at a time, each added in entry order.
 */
function addEntries(
  out: usize,
  v: usize,
  fixed: usize,
  index: usize,
  weight: usize,
  begin: i32,
  end: i32,
  k: i32,
  alpha: f64,
  extra: f64,
  residual: bool,
): void {
  const bytes = <usize> k << 3;
  let n = begin;
  for (; n + 2 <= end; n += 2) {
    const at = <usize> n;
    const y = fixed + <usize> load<i32>(index + (at << 2)) * bytes;
    const z = fixed + <usize> load<i32>(index + (at << 2), 4) * bytes;
    const wy = load<f64>(weight + (at << 3));
    const wz = load<f64>(weight + (at << 3), 8);
    const dy = dotPair(y, z, v, k);
    const dz = secondDot;
    const sy = residual ? 1 + alpha * wy - (extra + alpha * wy) * dy : (extra + alpha * wy) * dy;
    const sz = residual ? 1 + alpha * wz - (extra + alpha * wz) * dz : (extra + alpha * wz) * dz;
    addScaledPair(out, y, sy, z, sz, k);
  }
  if (n < end) {
    const y = fixed + <usize> load<i32>(index + (<usize> n << 2)) * bytes;
    const w = load<f64>(weight + (<usize> n << 3));
    const d = dot(y, v, k);
    addScaled(
      out,
      y,
      residual ? 1 + alpha * w - (extra + alpha * w) * d : (extra + alpha * w) * d,
      k,
    );
  }
}

/**
 * out = M·v for the k × k row-major M: four rows at a time, each with two partial sums, so that
 * one load of v serves four rows. Rows past the last four are single dot products.
 */
function multiply(matrix: usize, v: usize, out: usize, k: i32): void {
  const stride = <usize> k << 3;
  let i = 0;
  if ((k & 3) == 0) {
    for (; i + 4 <= k; i += 4) {
      const r0 = matrix + <usize> i * stride;
      const r1 = r0 + stride;
      const r2 = r1 + stride;
      const r3 = r2 + stride;
      let a0 = f64x2.splat(0), b0 = f64x2.splat(0);
      let a1 = f64x2.splat(0), b1 = f64x2.splat(0);
      let a2 = f64x2.splat(0), b2 = f64x2.splat(0);
      let a3 = f64x2.splat(0), b3 = f64x2.splat(0);
      for (let j = 0; j < k; j += 4) {
        const o = <usize> j << 3;
        const v0 = v128.load(v + o);
        const v1 = v128.load(v + o, 16);
        a0 = f64x2.add(a0, f64x2.mul(v128.load(r0 + o), v0));
        b0 = f64x2.add(b0, f64x2.mul(v128.load(r0 + o, 16), v1));
        a1 = f64x2.add(a1, f64x2.mul(v128.load(r1 + o), v0));
        b1 = f64x2.add(b1, f64x2.mul(v128.load(r1 + o, 16), v1));
        a2 = f64x2.add(a2, f64x2.mul(v128.load(r2 + o), v0));
        b2 = f64x2.add(b2, f64x2.mul(v128.load(r2 + o, 16), v1));
        a3 = f64x2.add(a3, f64x2.mul(v128.load(r3 + o), v0));
        b3 = f64x2.add(b3, f64x2.mul(v128.load(r3 + o, 16), v1));
      }
      const o = <usize> i << 3;
      const s0 = f64x2.add(a0, b0);
      const s1 = f64x2.add(a1, b1);
      const s2 = f64x2.add(a2, b2);
      const s3 = f64x2.add(a3, b3);
      store<f64>(out + o, f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1));
      store<f64>(out + o, f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1), 8);
      store<f64>(out + o, f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1), 16);
      store<f64>(out + o, f64x2.extract_lane(s3, 0) + f64x2.extract_lane(s3, 1), 24);
    }
  }
  for (; i < k; i++) {
    store<f64>(out + (<usize> i << 3), dot(matrix + <usize> i * stride, v, k));
  }
}

/**
 * Takes `steps` conjugate-gradient steps on each row r in [from, to) of one half-step, from the
 * vector already in `solved` (the warm start), as recommend/als.ts describes:
 *
 *   (base + shift_r·I + Σ (cᵣᵢ − α₀) yᵢyᵢᵀ) x_r = Σ cᵣᵢ yᵢ
 *
 * over the row's entries, with base = α₀YᵀY + λI, cᵣᵢ = 1 + α·w and cᵣᵢ − α₀ = extra + α·w.
 * `start` (i32, rows + 1), `index` (i32) and `weight` (f64) are the rows' sparse entries,
 * `shifts` (f64, one per row) each row's λᵣ − λ, `fixed` and `solved` the two sides' factors,
 * `scratch` 3·k doubles of this caller's own. A row without entries gets the zero vector.
 */
export function solveRows(
  start: usize,
  index: usize,
  weight: usize,
  shifts: usize,
  from: i32,
  to: i32,
  fixed: usize,
  solved: usize,
  base: usize,
  scratch: usize,
  k: i32,
  alpha: f64,
  extra: f64,
  steps: i32,
): void {
  const bytes = <usize> k << 3;
  const residual = scratch;
  const direction = scratch + bytes;
  const product = direction + bytes;
  for (let r = from; r < to; r++) {
    const begin = load<i32>(start + (<usize> r << 2));
    const end = load<i32>(start + (<usize> r << 2), 4);
    const x = solved + <usize> r * bytes;
    if (begin == end) {
      memory.fill(x, 0, bytes);
      continue;
    }
    const shift = load<f64>(shifts + (<usize> r << 3));

    // residual = b − A·x = Σ (cᵣᵢ − (cᵣᵢ − α₀)(yᵢ·x)) yᵢ − (base + shift·I)x
    multiply(base, x, residual, k);
    for (let i = 0; i < k; i++) {
      const o = <usize> i << 3;
      const s = load<f64>(residual + o);
      store<f64>(residual + o, shift == 0 ? -s : -(s + shift * load<f64>(x + o)));
    }
    addEntries(residual, x, fixed, index, weight, begin, end, k, alpha, extra, true);
    memory.copy(direction, residual, bytes);
    let rsOld = dot(residual, residual, k);

    for (let step = 0; step < steps && rsOld > tolerance; step++) {
      multiply(base, direction, product, k);
      if (shift != 0) addScaled(product, direction, shift, k);
      addEntries(product, direction, fixed, index, weight, begin, end, k, alpha, extra, false);
      const stepSize = rsOld / dot(direction, product, k);
      addScaled(x, direction, stepSize, k);
      addScaled(residual, product, -stepSize, k);
      const rsNew = dot(residual, residual, k);
      const ratio = rsNew / rsOld;
      // direction = residual + ratio · direction
      const s = f64x2.splat(ratio);
      let i = 0;
      for (; i + 2 <= k; i += 2) {
        const o = <usize> i << 3;
        v128.store(
          direction + o,
          f64x2.add(v128.load(residual + o), f64x2.mul(s, v128.load(direction + o))),
        );
      }
      for (; i < k; i++) {
        const o = <usize> i << 3;
        store<f64>(direction + o, load<f64>(residual + o) + ratio * load<f64>(direction + o));
      }
      rsOld = rsNew;
    }
  }
}

/**
 * Adds rows [from, to) of MᵀM's lower triangle into `gram` (k × k) for the `rows` × k row-major
 * `matrix`, matrix row after matrix row, each entry summed in row order. Pairs of entries are
 * written together, so an even row a also gets its entry a + 1 (the upper triangle, which the
 * caller overwrites from the lower one).
 */
export function addGramianRows(
  matrix: usize,
  rows: i32,
  k: i32,
  gram: usize,
  from: i32,
  to: i32,
): void {
  const stride = <usize> k << 3;
  let r = 0;
  // Four matrix rows at a time: each entry of `gram` is read once and gets their four products
  // one after the other, the order of one row at a time.
  for (; r + 4 <= rows; r += 4) {
    const m0 = matrix + <usize> r * stride;
    const m1 = m0 + stride;
    const m2 = m1 + stride;
    const m3 = m2 + stride;
    for (let a = from; a < to; a++) {
      const oa = <usize> a << 3;
      const v0 = f64x2.splat(load<f64>(m0 + oa));
      const v1 = f64x2.splat(load<f64>(m1 + oa));
      const v2 = f64x2.splat(load<f64>(m2 + oa));
      const v3 = f64x2.splat(load<f64>(m3 + oa));
      const row = gram + <usize> a * stride;
      let b = 0;
      for (; b <= a && b + 2 <= k; b += 2) {
        const o = <usize> b << 3;
        let g = v128.load(row + o);
        g = f64x2.add(g, f64x2.mul(v0, v128.load(m0 + o)));
        g = f64x2.add(g, f64x2.mul(v1, v128.load(m1 + o)));
        g = f64x2.add(g, f64x2.mul(v2, v128.load(m2 + o)));
        g = f64x2.add(g, f64x2.mul(v3, v128.load(m3 + o)));
        v128.store(row + o, g);
      }
      for (; b <= a; b++) {
        const o = <usize> b << 3;
        let g = load<f64>(row + o);
        g += load<f64>(m0 + oa) * load<f64>(m0 + o);
        g += load<f64>(m1 + oa) * load<f64>(m1 + o);
        g += load<f64>(m2 + oa) * load<f64>(m2 + o);
        g += load<f64>(m3 + oa) * load<f64>(m3 + o);
        store<f64>(row + o, g);
      }
    }
  }
  for (; r < rows; r++) {
    const m = matrix + <usize> r * stride;
    for (let a = from; a < to; a++) {
      const va = load<f64>(m + (<usize> a << 3));
      const row = gram + <usize> a * stride;
      for (let b = 0; b <= a; b++) {
        const o = <usize> b << 3;
        store<f64>(row + o, load<f64>(row + o) + va * load<f64>(m + o));
      }
    }
  }
}

/**
 * `total` plus, entry after entry of member rows [from, to), cᵤᵢ(1 − xᵤ·yᵢ)² − α₀(xᵤ·yᵢ)²: the
 * entries' share of the loss (recommend/als.ts `objective`).
 */
export function entriesLoss(
  start: usize,
  index: usize,
  weight: usize,
  from: i32,
  to: i32,
  members: usize,
  items: usize,
  k: i32,
  alpha: f64,
  unobserved: f64,
  total: f64,
): f64 {
  const bytes = <usize> k << 3;
  for (let r = from; r < to; r++) {
    const x = members + <usize> r * bytes;
    const end = load<i32>(start + (<usize> r << 2), 4);
    for (let n = load<i32>(start + (<usize> r << 2)); n < end; n++) {
      const y = items + <usize> load<i32>(index + (<usize> n << 2)) * bytes;
      const s = dot(x, y, k);
      const c = 1 + alpha * load<f64>(weight + (<usize> n << 3));
      total += c * (1 - s) * (1 - s) - unobserved * s * s;
    }
  }
  return total;
}
