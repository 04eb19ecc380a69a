/**
 * The Kaiser window, shared by every windowed-sinc design in core (half-band oversampling, the
 * true-peak interpolator, the resampler, linear-phase EQ, the EBU test signals).
 * J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window function", 1974;
 * β from Oppenheim & Schafer, Discrete-Time Signal Processing, eq. 7.62.
 */

/** Zeroth-order modified Bessel function of the first kind (power series; converges fast for β < 30). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser's β for a stop-band attenuation `stopbandDb` (O&S eq. 7.62). */
export function kaiserBeta(stopbandDb: number): number {
  if (stopbandDb > 50) return 0.1102 * (stopbandDb - 8.7);
  if (stopbandDb >= 21) return 0.5842 * Math.pow(stopbandDb - 21, 0.4) + 0.07886 * (stopbandDb - 21);
  return 0;
}

/**
 * The window at relative position r = offset / half-length (|r| ≤ 1; 0 outside), normalized to 1
 * at the centre: I0(β·sqrt(1 − r²)) / I0(β). Pass `i0Beta = besselI0(beta)` when evaluating many
 * points.
 */
export function kaiserWindow(r: number, beta: number, i0Beta = besselI0(beta)): number {
  if (Math.abs(r) > 1) return 0;
  return besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
}
