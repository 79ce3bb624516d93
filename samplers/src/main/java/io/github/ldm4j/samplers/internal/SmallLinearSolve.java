package io.github.ldm4j.samplers.internal;

/** Gaussian elimination with partial pivoting for the tiny systems of multistep solvers. */
public final class SmallLinearSolve {

  private SmallLinearSolve() {}

  /**
   * Solves {@code a·x = b} for a square {@code a} (not modified).
   *
   * @throws IllegalArgumentException if the matrix is singular
   */
  public static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][n + 1];
    for (int i = 0; i < n; i++) {
      if (a[i].length < n) {
        throw new IllegalArgumentException("matrix row " + i + " has " + a[i].length + " columns, need " + n);
      }
      System.arraycopy(a[i], 0, m[i], 0, n);
      m[i][n] = b[i];
    }
    for (int col = 0; col < n; col++) {
      int piv = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) {
          piv = r;
        }
      }
      if (m[piv][col] == 0 || !Double.isFinite(m[piv][col])) {
        throw new IllegalArgumentException("singular system in multistep coefficients");
      }
      double[] tmp = m[col];
      m[col] = m[piv];
      m[piv] = tmp;
      for (int r = col + 1; r < n; r++) {
        double f = m[r][col] / m[col][col];
        for (int c = col; c <= n; c++) {
          m[r][c] -= f * m[col][c];
        }
      }
    }
    double[] x = new double[n];
    for (int r = n - 1; r >= 0; r--) {
      double s = m[r][n];
      for (int c = r + 1; c < n; c++) {
        s -= m[r][c] * x[c];
      }
      x[r] = s / m[r][r];
    }
    return x;
  }
}
