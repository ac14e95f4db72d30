"""A minimal T5 v1.1 (gated-gelu, untied lm_head) in plain PyTorch.

Parameter names and shapes equal those of Hugging Face's T5ForConditionalGeneration state dict,
and the computation follows it: RMS layer norm with fp32 variance, no 1/sqrt(d_kv) attention
scaling, bucketed relative position bias computed in block 0 and shared by all layers,
wo(gelu_new(wi_0 x) * wi_1 x), lm_head without rescaling.
"""
import json
import math
import struct

import torch
from torch import nn
import torch.nn.functional as F

NEG = torch.finfo(torch.float32).min


def relative_position_bucket(rel, bidirectional, num_buckets, max_distance):
    """Same arithmetic as transformers' T5Attention._relative_position_bucket."""
    buckets = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        buckets = buckets + (rel > 0).to(torch.long) * num_buckets
        rel = torch.abs(rel)
    else:
        rel = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    is_small = rel < max_exact
    large = max_exact + (
        torch.log(rel.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    ).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, rel, large)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class LayerNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        var = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


class Attention(nn.Module):
    def __init__(self, c, has_bias, bidirectional):
        super().__init__()
        self.h, self.dk = c["num_heads"], c["d_kv"]
        inner = self.h * self.dk
        self.q = nn.Linear(c["d_model"], inner, bias=False)
        self.k = nn.Linear(c["d_model"], inner, bias=False)
        self.v = nn.Linear(c["d_model"], inner, bias=False)
        self.o = nn.Linear(inner, c["d_model"], bias=False)
        self.bidirectional = bidirectional
        self.nb, self.md = c["relative_attention_num_buckets"], c["relative_attention_max_distance"]
        if has_bias:
            self.relative_attention_bias = nn.Embedding(self.nb, self.h)

    def compute_bias(self, qlen, klen):
        """[1, heads, qlen, klen] float32."""
        ctx = torch.arange(qlen, dtype=torch.long)[:, None]
        mem = torch.arange(klen, dtype=torch.long)[None, :]
        b = relative_position_bucket(mem - ctx, self.bidirectional, self.nb, self.md)
        return self.relative_attention_bias(b).permute(2, 0, 1).unsqueeze(0)

    def forward(self, x, kv, bias):
        b, q = x.shape[0], x.shape[1]
        def split(t):
            return t.view(b, -1, self.h, self.dk).transpose(1, 2)
        Q, K, V = split(self.q(x)), split(self.k(kv)), split(self.v(kv))
        scores = torch.matmul(Q, K.transpose(3, 2)) + bias
        w = F.softmax(scores.float(), dim=-1).type_as(scores)
        out = torch.matmul(w, V).transpose(1, 2).reshape(b, q, self.h * self.dk)
        return self.o(out)


class SelfAttnLayer(nn.Module):
    def __init__(self, c, has_bias, bidirectional):
        super().__init__()
        self.SelfAttention = Attention(c, has_bias, bidirectional)
        self.layer_norm = LayerNorm(c["d_model"], c["layer_norm_epsilon"])

    def forward(self, x, bias):
        y = self.layer_norm(x)
        return x + self.SelfAttention(y, y, bias)


class CrossAttnLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.EncDecAttention = Attention(c, False, True)
        self.layer_norm = LayerNorm(c["d_model"], c["layer_norm_epsilon"])

    def forward(self, x, enc, bias):
        return x + self.EncDecAttention(self.layer_norm(x), enc, bias)


class GatedFF(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wi_0 = nn.Linear(c["d_model"], c["d_ff"], bias=False)
        self.wi_1 = nn.Linear(c["d_model"], c["d_ff"], bias=False)
        self.wo = nn.Linear(c["d_ff"], c["d_model"], bias=False)

    def forward(self, x):
        return self.wo(gelu_new(self.wi_0(x)) * self.wi_1(x))


class FFLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.DenseReluDense = GatedFF(c)
        self.layer_norm = LayerNorm(c["d_model"], c["layer_norm_epsilon"])

    def forward(self, x):
        return x + self.DenseReluDense(self.layer_norm(x))


class Block(nn.Module):
    def __init__(self, c, index, decoder):
        super().__init__()
        layers = [SelfAttnLayer(c, index == 0, not decoder)]
        if decoder:
            layers.append(CrossAttnLayer(c))
        layers.append(FFLayer(c))
        self.layer = nn.ModuleList(layers)
        self.decoder = decoder

    def forward(self, x, bias, enc=None, cross_bias=None):
        x = self.layer[0](x, bias)
        if self.decoder:
            x = self.layer[1](x, enc, cross_bias)
        return self.layer[-1](x)


class Stack(nn.Module):
    def __init__(self, c, n, decoder):
        super().__init__()
        self.block = nn.ModuleList([Block(c, i, decoder) for i in range(n)])
        self.final_layer_norm = LayerNorm(c["d_model"], c["layer_norm_epsilon"])


class T5(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.shared = nn.Embedding(c["vocab_size"], c["d_model"])
        self.encoder = Stack(c, c["num_layers"], False)
        self.decoder = Stack(c, c["num_decoder_layers"], True)
        self.lm_head = nn.Linear(c["d_model"], c["vocab_size"], bias=False)

    def init_weights(self, gen):
        """T5-style init (std folds in the missing attention scaling); lm_head std d_model**-0.5."""
        c = self.c
        d, dk, h, ff = c["d_model"], c["d_kv"], c["num_heads"], c["d_ff"]
        for name, p in self.named_parameters():
            if name.endswith("layer_norm.weight"):
                p.data.fill_(1.0)
                continue
            if name == "shared.weight":
                std = 1.0
            elif name == "lm_head.weight" or name.endswith(("k.weight", "v.weight", "wi_0.weight", "wi_1.weight")):
                std = d ** -0.5
            elif name.endswith("q.weight"):
                std = (d * dk) ** -0.5
            elif name.endswith("o.weight"):
                std = (h * dk) ** -0.5
            elif name.endswith("wo.weight"):
                std = ff ** -0.5
            elif name.endswith("relative_attention_bias.weight"):
                std = d ** -0.5
            else:
                raise ValueError(name)
            p.data.normal_(0.0, std, generator=gen)

    def encode(self, ids, mask):
        """ids, mask: [batch, src] int64 -> [batch, src, d_model] float32."""
        x = self.shared(ids)
        L = ids.shape[1]
        bias = self.encoder.block[0].layer[0].SelfAttention.compute_bias(L, L)
        bias = bias + (1.0 - mask[:, None, None, :].float()) * NEG
        for blk in self.encoder.block:
            x = blk(x, bias)
        return self.encoder.final_layer_norm(x)

    def decode(self, dec_ids, enc, mask):
        """dec_ids [batch, tgt] -> logits [batch, tgt, vocab] float32."""
        x = self.shared(dec_ids)
        T = dec_ids.shape[1]
        bias = self.decoder.block[0].layer[0].SelfAttention.compute_bias(T, T)
        causal = torch.tril(torch.ones(T, T))
        bias = bias + ((1.0 - causal) * NEG)[None, None]
        cross = (1.0 - mask[:, None, None, :].float()) * NEG
        for blk in self.decoder.block:
            x = blk(x, bias, enc, cross)
        return self.lm_head(self.decoder.final_layer_norm(x))

    @torch.no_grad()
    def greedy(self, ids, mask, max_new_tokens, eos=1, pad=0, start=0):
        """[batch, src] -> list of generated id lists (after the start token, eos included if made)."""
        enc = self.encode(ids, mask)
        b = ids.shape[0]
        out = torch.full((b, 1), start, dtype=torch.long)
        done = torch.zeros(b, dtype=torch.bool)
        for _ in range(max_new_tokens):
            nxt = self.decode(out, enc, mask)[:, -1].argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, pad), nxt)
            out = torch.cat([out, nxt[:, None]], 1)
            done = done | (nxt == eos)
            if bool(done.all()):
                break
        return cut_at_eos(out[:, 1:].tolist(), eos)


def cut_at_eos(rows, eos):
    """Each generated row up to and including its first eos (rows that never made one whole)."""
    res = []
    for row in rows:
        seq = []
        for t in row:
            seq.append(t)
            if t == eos:
                break
        res.append(seq)
    return res


def save_safetensors(state, path):
    """Write float32 tensors in the safetensors format (sorted names, metadata format=pt)."""
    header = {"__metadata__": {"format": "pt"}}
    blobs, off = [], 0
    for name in sorted(state):
        t = state[name].detach().to(torch.float32).contiguous().cpu()
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for blob in blobs:
            f.write(blob)


def load_safetensors(path):
    """Read an F32 safetensors file into a dict of tensors."""
    import numpy as np
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        s, e = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(body[s:e], dtype="<f4").copy()).view(*info["shape"])
    return out
