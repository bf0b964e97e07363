/*
 * spottune's optional native matrix product: OpenBLAS's cblas_sgemm on Float32Arrays, which may be
 * views of tfjs-wasm's heap (no copies). wasm's own matMul (XNNPACK, SIMD128 without FMA) reaches
 * ~30 GFLOP/s on the conv3d lowering's shapes; OpenBLAS on AVX2/FMA ~90. Built by
 * scripts/build-native.mjs when a C compiler and OpenBLAS's headers are present; without it spottune
 * falls back to tfjs's matMul.
 *
 *   sgemm(A, B, C, M, N, K, transA, transB, accumulate): C[M,N] (+)= op(A)·op(B), row-major; op(A) is [M,K].
 *   im2col(geometry, src, row0, rows, out), col2imAdd(geometry, col, row0, rows, dst): the conv3d
 *   lowering's column matrix (same layout as libs/model/src/ops/im2col.ts), NDHWC volumes.
 *   bnMoments(x, mean, variance), bnAffine(x, out, scale, shift), bnBackward(dy, x, out, mean, inv,
 *   scale, sumDy, sumDyXhat): BatchNorm's per-channel loops (batch-norm.ts), float64 sums.
 *   maxPool3d(geometry, x, out, argmax): PyTorch's max pooling (first maximum in window order wins,
 *   NaN wins), argmax = flat input index per output, for the gradient (max-pool3d.ts).
 *   adamUpdate(p, g, m, v, pOut, mOut, vOut, hyper): one torch-Adam step in float32 arithmetic, hyper =
 *   Float32Array [β1, β2, 1−β1, 1−β2, eps, weight decay, step size, √(1−β2^t)] (adam.ts).
 *   tapConv(geometry, mode, x, w, y, accumulate): the same convolution tap by tap, multiplying only
 *   the rows a tap reaches inside the volume (dilated layers on small volumes read mostly padding):
 *   mode 0: y = conv(x, W); 1: x (+)= dX from y = dY; 2: w (+)= dW from x and y = dY.
 *   setThreads(n), threads(), config()
 */
#include <node_api.h>
#include <cblas.h>
#include <stdbool.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A typed array's data and length, or a TypeError (`what` names the expected type). */
static bool typed(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* len,
                  const char* what) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, len, data, &buffer, &offset) != napi_ok || type != want) {
    napi_throw_type_error(env, "BAD_ARGUMENT", what);
    return false;
  }
  return true;
}

static bool view(napi_env env, napi_value v, float** data, size_t* len) {
  return typed(env, v, napi_float32_array, (void**)data, len, "expected a Float32Array");
}

static napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value a[9];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc != 9) {
    napi_throw_type_error(env, "BAD_ARGUMENT", "sgemm: expected (A, B, C, M, N, K, transA, transB, accumulate)");
    return NULL;
  }
  float *A, *B, *C;
  size_t la, lb, lc;
  int32_t M, N, K;
  bool ta, tb, acc;
  if (!view(env, a[0], &A, &la) || !view(env, a[1], &B, &lb) || !view(env, a[2], &C, &lc)) return NULL;
  if (napi_get_value_int32(env, a[3], &M) != napi_ok || napi_get_value_int32(env, a[4], &N) != napi_ok ||
      napi_get_value_int32(env, a[5], &K) != napi_ok || napi_get_value_bool(env, a[6], &ta) != napi_ok ||
      napi_get_value_bool(env, a[7], &tb) != napi_ok || napi_get_value_bool(env, a[8], &acc) != napi_ok) {
    napi_throw_type_error(env, "BAD_ARGUMENT", "sgemm: M, N, K must be integers and transA, transB booleans");
    return NULL;
  }
  if (M < 0 || N < 0 || K < 0 || la < (size_t)M * K || lb < (size_t)K * N || lc < (size_t)M * N) {
    napi_throw_range_error(env, "BAD_ARGUMENT", "sgemm: array lengths do not fit M, N, K");
    return NULL;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f,
              A, ta ? M : K, B, tb ? K : N, acc ? 1.0f : 0.0f, C, N);
  return NULL;
}

/* Geometry of one convolution: n, D,H,W, C, OD,OH,OW, kd,kh,kw, sd,sh,sw, dd,dh,dw, pd,ph,pw. */
typedef struct {
  int n, D, H, W, C, OD, OH, OW, kd, kh, kw, sd, sh, sw, dd, dh, dw, pd, ph, pw;
} Geometry;

static bool geometry(napi_env env, napi_value v, Geometry* g) {
  size_t len;
  int32_t* d;
  if (!typed(env, v, napi_int32_array, (void**)&d, &len, "geometry must be an Int32Array")) return false;
  if (len != 20) {
    napi_throw_range_error(env, "BAD_ARGUMENT", "geometry must hold 20 values");
    return false;
  }
  memcpy(g, d, sizeof *g);
  return true;
}

/* Shared argument handling of im2col / col2imAdd: (geometry, col-or-src, row0, rows, out-or-dst). */
static bool lowering_args(napi_env env, napi_callback_info info, Geometry* g, float** vol, size_t* volLen,
                          float** col, size_t* colLen, int32_t* row0, int32_t* rows, bool volFirst) {
  size_t argc = 5;
  napi_value a[5];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc != 5 || !geometry(env, a[0], g)) return false;
  if (!view(env, a[volFirst ? 1 : 4], vol, volLen) || !view(env, a[volFirst ? 4 : 1], col, colLen)) return false;
  if (napi_get_value_int32(env, a[2], row0) != napi_ok || napi_get_value_int32(env, a[3], rows) != napi_ok) {
    napi_throw_type_error(env, "BAD_ARGUMENT", "row0 and rows must be integers");
    return false;
  }
  size_t cols = (size_t)g->kd * g->kh * g->kw * g->C;
  size_t total = (size_t)g->n * g->OD * g->OH * g->OW;
  if (*row0 < 0 || *rows < 0 || (size_t)*row0 + *rows > total || *colLen < (size_t)*rows * cols ||
      *volLen < (size_t)g->n * g->D * g->H * g->W * g->C) {
    napi_throw_range_error(env, "BAD_ARGUMENT", "array lengths do not fit the geometry");
    return false;
  }
  return true;
}

/* Walks rows [row0, row0 + rows) of the column matrix: for each output voxel and each kernel (a, b)
 * line, calls LINE(o, s, eLo, eHi) with o the line's first column, s the source row's first float
 * (NULL when the line lies outside the volume) and [eLo, eHi) the taps whose x lies inside. */
#define FOR_EACH_LINE(g, row0, rows, LINE)                                                           \
  do {                                                                                               \
    const size_t C = (size_t)(g).C, cols = (size_t)(g).kd * (g).kh * (g).kw * C;                     \
    int ow = (row0) % (g).OW, t = (row0) / (g).OW;                                                   \
    int oh = t % (g).OH;                                                                             \
    t /= (g).OH;                                                                                     \
    int od = t % (g).OD, nn = t / (g).OD;                                                            \
    for (int r = 0; r < (rows); r++) {                                                               \
      const int iz0 = od * (g).sd - (g).pd, iy0 = oh * (g).sh - (g).ph, ix0 = ow * (g).sw - (g).pw;   \
      int eLo = 0, eHi = (g).kw;                                                                     \
      while (eLo < eHi && ix0 + eLo * (g).dw < 0) eLo++;                                              \
      while (eHi > eLo && ix0 + (eHi - 1) * (g).dw >= (g).W) eHi--;                                   \
      for (int a = 0; a < (g).kd; a++) {                                                             \
        const int iz = iz0 + a * (g).dd;                                                             \
        for (int b = 0; b < (g).kh; b++) {                                                           \
          const int iy = iy0 + b * (g).dh;                                                           \
          const size_t o = (size_t)r * cols + ((size_t)a * (g).kh + b) * (g).kw * C;                 \
          const bool inside = iz >= 0 && iz < (g).D && iy >= 0 && iy < (g).H;                         \
          /* offset of x = ix0 (may be < 0: only taps from eLo on are read) */                      \
          const long s = inside ? (((long)nn * (g).D + iz) * (g).H + iy) * (long)(g).W * (long)C + (long)ix0 * (long)C : 0; \
          LINE(o, inside, s, eLo, eHi);                                                              \
        }                                                                                            \
      }                                                                                              \
      if (++ow == (g).OW) {                                                                          \
        ow = 0;                                                                                      \
        if (++oh == (g).OH) {                                                                        \
          oh = 0;                                                                                    \
          if (++od == (g).OD) {                                                                      \
            od = 0;                                                                                  \
            nn++;                                                                                    \
          }                                                                                          \
        }                                                                                            \
      }                                                                                              \
    }                                                                                                \
  } while (0)

static napi_value Im2col(napi_env env, napi_callback_info info) {
  Geometry g;
  float *src, *out;
  size_t ls, lo;
  int32_t row0, rows;
  if (!lowering_args(env, info, &g, &src, &ls, &out, &lo, &row0, &rows, true)) return NULL;
  const size_t dwC = (size_t)g.dw * g.C, fl = sizeof(float);
#define IM2COL_LINE(o, inside, s, eLo, eHi)                                                          \
  do {                                                                                               \
    float* dst = out + (o);                                                                          \
    if (!(inside) || (eLo) >= (eHi)) {                                                               \
      memset(dst, 0, (size_t)g.kw * C * fl);                                                         \
      break;                                                                                         \
    }                                                                                                \
    if ((eLo) > 0) memset(dst, 0, (size_t)(eLo) * C * fl);                                           \
    if (g.dw == 1) { /* the in-volume taps of this line are one contiguous run */                     \
      memcpy(dst + (size_t)(eLo) * C, src + ((s) + (long)(eLo) * (long)C), (size_t)((eHi) - (eLo)) * C * fl); \
    } else {                                                                                         \
      for (int e = (eLo); e < (eHi); e++) memcpy(dst + (size_t)e * C, src + ((s) + e * (long)dwC), C * fl); \
    }                                                                                                \
    if ((eHi) < g.kw) memset(dst + (size_t)(eHi) * C, 0, (size_t)(g.kw - (eHi)) * C * fl);          \
  } while (0)
  FOR_EACH_LINE(g, row0, rows, IM2COL_LINE);
  return NULL;
}

static napi_value Col2imAdd(napi_env env, napi_callback_info info) {
  Geometry g;
  float *dst, *col;
  size_t ld, lc;
  int32_t row0, rows;
  if (!lowering_args(env, info, &g, &dst, &ld, &col, &lc, &row0, &rows, false)) return NULL;
  const size_t dwC = (size_t)g.dw * g.C;
#define COL2IM_LINE(o, inside, s, eLo, eHi)                                                          \
  do {                                                                                               \
    if (!(inside)) break;                                                                            \
    for (int e = (eLo); e < (eHi); e++) {                                                            \
      float* d = dst + ((s) + e * (long)dwC);                                                        \
      const float* c = col + (o) + (size_t)e * C;                                                    \
      for (size_t i = 0; i < C; i++) d[i] += c[i];                                                   \
    }                                                                                                \
  } while (0)
  FOR_EACH_LINE(g, row0, rows, COL2IM_LINE);
  return NULL;
}

static bool view64(napi_env env, napi_value v, double** data, size_t* len) {
  return typed(env, v, napi_float64_array, (void**)data, len, "per-channel arrays must be Float64Arrays");
}

/* Reads argv as nf32 float32 arrays, then nf64 float64 per-channel arrays of one length c; the
 * float32 arrays must hold whole rows of c. */
static bool bn_args(napi_env env, napi_callback_info info, size_t nf32, float** f, size_t* n, size_t nf64,
                    double** d, size_t* c) {
  napi_value a[8];
  size_t argc = 8;
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc != nf32 + nf64) {
    napi_throw_type_error(env, "BAD_ARGUMENT", "wrong number of arguments");
    return false;
  }
  size_t len;
  for (size_t i = 0; i < nf32; i++) {
    if (!view(env, a[i], &f[i], &len)) return false;
    if (i == 0) *n = len;
    else if (len != *n) {
      napi_throw_range_error(env, "BAD_ARGUMENT", "data arrays differ in length");
      return false;
    }
  }
  for (size_t i = 0; i < nf64; i++) {
    if (!view64(env, a[nf32 + i], &d[i], &len)) return false;
    if (i == 0) *c = len;
    if (len != *c || *c == 0 || *n % *c != 0) {
      napi_throw_range_error(env, "BAD_ARGUMENT", "per-channel arrays do not fit the data");
      return false;
    }
  }
  return true;
}

static napi_value BnMoments(napi_env env, napi_callback_info info) {
  float* f[1];
  double* d[2];
  size_t n, c;
  if (!bn_args(env, info, 1, f, &n, 2, d, &c)) return NULL;
  const float* x = f[0];
  double *mean = d[0], *var = d[1];
  size_t rows = n / c;
  for (size_t k = 0; k < c; k++) mean[k] = var[k] = 0;
  for (size_t i = 0; i < n; i += c)
    for (size_t k = 0; k < c; k++) mean[k] += x[i + k];
  for (size_t k = 0; k < c; k++) mean[k] /= (double)rows;
  for (size_t i = 0; i < n; i += c)
    for (size_t k = 0; k < c; k++) {
      double v = x[i + k] - mean[k];
      var[k] += v * v;
    }
  for (size_t k = 0; k < c; k++) var[k] /= (double)rows;
  return NULL;
}

static napi_value BnAffine(napi_env env, napi_callback_info info) {
  float* f[2];
  double* d[2];
  size_t n, c;
  if (!bn_args(env, info, 2, f, &n, 2, d, &c)) return NULL;
  const float* x = f[0];
  float* out = f[1];
  for (size_t i = 0; i < n; i += c)
    for (size_t k = 0; k < c; k++) out[i + k] = (float)(x[i + k] * d[0][k] + d[1][k]);
  return NULL;
}

static napi_value BnBackward(napi_env env, napi_callback_info info) {
  float* f[3];
  double* d[5];
  size_t n, c;
  if (!bn_args(env, info, 3, f, &n, 5, d, &c)) return NULL;
  const float *dy = f[0], *x = f[1];
  float* out = f[2];
  const double *mean = d[0], *inv = d[1], *scale = d[2];
  double *sumDy = d[3], *sumDyXhat = d[4];
  double rows = (double)(n / c);
  for (size_t k = 0; k < c; k++) sumDy[k] = sumDyXhat[k] = 0;
  for (size_t i = 0; i < n; i += c)
    for (size_t k = 0; k < c; k++) {
      double v = dy[i + k];
      sumDy[k] += v;
      sumDyXhat[k] += v * (x[i + k] - mean[k]) * inv[k];
    }
  /* dx = A·dy + B·x + K per channel (x̂ = (x − μ)·inv expanded), A = γ·inv. */
  double B[c], K[c];
  for (size_t k = 0; k < c; k++) {
    B[k] = -scale[k] * inv[k] * sumDyXhat[k] / rows;
    K[k] = -scale[k] * sumDy[k] / rows - B[k] * mean[k];
  }
  for (size_t i = 0; i < n; i += c)
    for (size_t k = 0; k < c; k++) out[i + k] = (float)(scale[k] * dy[i + k] + B[k] * x[i + k] + K[k]);
  return NULL;
}

static napi_value MaxPool3d(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value a[4];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  Geometry g;
  float *x, *out;
  size_t lx, lo, la;
  int32_t* arg;
  if (argc != 4 || !geometry(env, a[0], &g) || !view(env, a[1], &x, &lx) || !view(env, a[2], &out, &lo) ||
      !typed(env, a[3], napi_int32_array, (void**)&arg, &la, "argmax must be an Int32Array"))
    return NULL;
  const size_t C = (size_t)g.C, outN = (size_t)g.n * g.OD * g.OH * g.OW * C;
  if (lx < (size_t)g.n * g.D * g.H * g.W * C || lo < outN || la < outN) {
    napi_throw_range_error(env, "BAD_ARGUMENT", "array lengths do not fit the geometry");
    return NULL;
  }
  size_t q = 0;
  for (int b = 0; b < g.n; b++)
    for (int i = 0; i < g.OD; i++) {
      int z0 = i * g.sd - g.pd, z1 = z0 + g.kd;
      if (z0 < 0) z0 = 0;
      if (z1 > g.D) z1 = g.D;
      for (int j = 0; j < g.OH; j++) {
        int y0 = j * g.sh - g.ph, y1 = y0 + g.kh;
        if (y0 < 0) y0 = 0;
        if (y1 > g.H) y1 = g.H;
        for (int l = 0; l < g.OW; l++, q += C) {
          int x0 = l * g.sw - g.pw, x1 = x0 + g.kw;
          if (x0 < 0) x0 = 0;
          if (x1 > g.W) x1 = g.W;
          const size_t first = ((((size_t)b * g.D + z0) * g.H + y0) * g.W + x0) * C;
          for (size_t ch = 0; ch < C; ch++) {
            out[q + ch] = x[first + ch];
            arg[q + ch] = (int32_t)(first + ch);
          }
          for (int z = z0; z < z1; z++)
            for (int y = y0; y < y1; y++)
              for (int xx = x0; xx < x1; xx++) {
                const size_t base = ((((size_t)b * g.D + z) * g.H + y) * g.W + xx) * C;
                for (size_t ch = 0; ch < C; ch++) {
                  const float v = x[base + ch];
                  if (v > out[q + ch] || v != v) {
                    out[q + ch] = v;
                    arg[q + ch] = (int32_t)(base + ch);
                  }
                }
              }
        }
      }
    }
  return NULL;
}

static napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value a[8];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc != 8) {
    napi_throw_type_error(env, "BAD_ARGUMENT", "adamUpdate: expected (p, g, m, v, pOut, mOut, vOut, hyper)");
    return NULL;
  }
  float* t[8];
  size_t len[8];
  for (int i = 0; i < 8; i++)
    if (!view(env, a[i], &t[i], &len[i])) return NULL;
  for (int i = 1; i < 7; i++)
    if (len[i] != len[0]) {
      napi_throw_range_error(env, "BAD_ARGUMENT", "adamUpdate: arrays differ in length");
      return NULL;
    }
  if (len[7] != 8) {
    napi_throw_range_error(env, "BAD_ARGUMENT", "adamUpdate: hyper must hold 8 values");
    return NULL;
  }
  const float *P = t[0], *G = t[1], *M = t[2], *V = t[3], *h = t[7];
  float *P2 = t[4], *M2 = t[5], *V2 = t[6];
  const float b1 = h[0], b2 = h[1], c1 = h[2], c2 = h[3], eps = h[4], wd = h[5], step = h[6], sqrtBc2 = h[7];
  /* Every operation rounded to float, in the order of adam.ts's JS loop (compiled without FMA contraction). */
  for (size_t k = 0; k < len[0]; k++) {
    const float g = wd != 0.0f ? G[k] + P[k] * wd : G[k];
    const float mk = M[k] * b1 + g * c1;
    const float vk = V[k] * b2 + (g * g) * c2;
    M2[k] = mk;
    V2[k] = vk;
    P2[k] = P[k] - (mk / (sqrtf(vk) / sqrtBc2 + eps)) * step;
  }
  return NULL;
}

/* The output box a tap (a, b, e) reaches inside the volume, per axis [lo, hi). */
static int tap_range(int o, int in, int s, int p, int d, int k, int lo[1], int hi[1]) {
  /* i = o·s − p + k·d ∈ [0, in)  ⇔  o ∈ [ceil((p − k·d)/s), floor((in − 1 + p − k·d)/s) + 1) */
  int num = p - k * d, l, h;
  l = num <= 0 ? 0 : (num + s - 1) / s;
  int top = in - 1 + p - k * d;
  h = top < 0 ? 0 : top / s + 1;
  if (h > o) h = o;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
  return h - l;
}

/* Copies (toBox = 1) rows of `vol` at the tap's input positions into the packed box matrix, or adds
 * (toBox = 0) the packed box matrix back into those positions. inSide: the volume is x-shaped (input
 * voxels), else output-shaped. */
static void box_rows(const Geometry* g, int a, int b, int e, const int* lo, const int* hi, float* vol,
                     float* box, int C, bool inSide, bool toBox) {
  size_t q = 0;
  for (int nn = 0; nn < g->n; nn++)
    for (int od = lo[0]; od < hi[0]; od++)
      for (int oh = lo[1]; oh < hi[1]; oh++)
        for (int ow = lo[2]; ow < hi[2]; ow++, q += C) {
          size_t v;
          if (inSide) {
            const int iz = od * g->sd - g->pd + a * g->dd, iy = oh * g->sh - g->ph + b * g->dh,
                      ix = ow * g->sw - g->pw + e * g->dw;
            v = ((((size_t)nn * g->D + iz) * g->H + iy) * g->W + ix) * C;
          } else {
            v = ((((size_t)nn * g->OD + od) * g->OH + oh) * g->OW + ow) * C;
          }
          if (toBox) memcpy(box + q, vol + v, C * sizeof(float));
          else
            for (int i = 0; i < C; i++) vol[v + i] += box[q + i];
        }
}

static napi_value TapConv(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value a[6];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  Geometry g;
  int32_t mode;
  bool acc;
  float *x, *w, *y;
  size_t lx, lw, ly;
  if (argc != 6 || !geometry(env, a[0], &g)) return NULL;
  if (napi_get_value_int32(env, a[1], &mode) != napi_ok || mode < 0 || mode > 2 ||
      napi_get_value_bool(env, a[5], &acc) != napi_ok) {
    napi_throw_type_error(env, "BAD_ARGUMENT", "tapConv: mode must be 0, 1 or 2 and accumulate a boolean");
    return NULL;
  }
  if (!view(env, a[2], &x, &lx) || !view(env, a[3], &w, &lw) || !view(env, a[4], &y, &ly)) return NULL;
  const int cin = g.C, cout = (int)(lw / ((size_t)g.kd * g.kh * g.kw * (cin > 0 ? cin : 1)));
  const size_t rows = (size_t)g.n * g.OD * g.OH * g.OW;
  if (cin <= 0 || cout <= 0 || lw != (size_t)g.kd * g.kh * g.kw * cin * cout ||
      lx < (size_t)g.n * g.D * g.H * g.W * cin || ly < rows * cout) {
    napi_throw_range_error(env, "BAD_ARGUMENT", "tapConv: array lengths do not fit the geometry");
    return NULL;
  }
  if (!acc) {
    if (mode == 0) memset(y, 0, rows * cout * sizeof(float));
    else if (mode == 1) memset(x, 0, (size_t)g.n * g.D * g.H * g.W * cin * sizeof(float));
    else memset(w, 0, lw * sizeof(float));
  }
  const int maxC = cin > cout ? cin : cout;
  float* A = malloc(rows * (size_t)maxC * sizeof(float));
  float* T = malloc(rows * (size_t)maxC * sizeof(float));
  if (A == NULL || T == NULL) {
    free(A);
    free(T);
    napi_throw_error(env, "OUT_OF_MEMORY", "tapConv: out of memory");
    return NULL;
  }
  for (int ta = 0; ta < g.kd; ta++)
    for (int tb = 0; tb < g.kh; tb++)
      for (int te = 0; te < g.kw; te++) {
        int lo[3], hi[3];
        const int m = g.n * tap_range(g.OD, g.D, g.sd, g.pd, g.dd, ta, &lo[0], &hi[0]) *
                      tap_range(g.OH, g.H, g.sh, g.ph, g.dh, tb, &lo[1], &hi[1]) *
                      tap_range(g.OW, g.W, g.sw, g.pw, g.dw, te, &lo[2], &hi[2]);
        if (m == 0) continue;
        float* wt = w + (((size_t)ta * g.kh + tb) * g.kw + te) * cin * cout;
        if (mode == 0) { /* y[box] += x[tap rows] · W_t */
          box_rows(&g, ta, tb, te, lo, hi, x, A, cin, true, true);
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, cout, cin, 1.0f, A, cin, wt, cout, 0.0f, T, cout);
          box_rows(&g, ta, tb, te, lo, hi, y, T, cout, false, false);
        } else if (mode == 1) { /* x[tap rows] += dY[box] · W_tᵀ */
          box_rows(&g, ta, tb, te, lo, hi, y, A, cout, false, true);
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, cin, cout, 1.0f, A, cout, wt, cout, 0.0f, T, cin);
          box_rows(&g, ta, tb, te, lo, hi, x, T, cin, true, false);
        } else { /* W_t += x[tap rows]ᵀ · dY[box] */
          box_rows(&g, ta, tb, te, lo, hi, x, A, cin, true, true);
          box_rows(&g, ta, tb, te, lo, hi, y, T, cout, false, true);
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cin, cout, m, 1.0f, A, cin, T, cout, 1.0f, wt, cout);
        }
      }
  free(A);
  free(T);
  return NULL;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  int32_t n = 1;
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc != 1 || napi_get_value_int32(env, a[0], &n) != napi_ok || n < 1) {
    napi_throw_type_error(env, "BAD_ARGUMENT", "setThreads: expected a positive integer");
    return NULL;
  }
  openblas_set_num_threads(n);
  return NULL;
}

static napi_value Threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_int32(env, openblas_get_num_threads(), &out);
  return out;
}

static napi_value Config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out);
  return out;
}

NAPI_MODULE_INIT() {
  const struct { const char* name; napi_callback fn; } fns[] = {
      {"sgemm", Sgemm}, {"im2col", Im2col}, {"col2imAdd", Col2imAdd}, {"bnMoments", BnMoments}, {"bnAffine", BnAffine},
      {"bnBackward", BnBackward}, {"maxPool3d", MaxPool3d}, {"adamUpdate", AdamUpdate}, {"tapConv", TapConv},
      {"setThreads", SetThreads}, {"threads", Threads}, {"config", Config}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}
