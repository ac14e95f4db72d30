"""A minimal Llama (LlamaForCausalLM of transformers 4.36, eager attention) in plain PyTorch.

Parameter names and shapes equal those of Hugging Face's LlamaForCausalLM state dict, and the
computation follows it: RMSNorm computed in float32, RoPE in the rotate_half convention with
float32 cos/sin tables, grouped-query attention (query head h reads kv head h // (heads / kv)),
scale 1/sqrt(head_dim), softmax in float32, masks of finfo(float32).min, MLP
down(silu(gate(x)) * up(x)), untied or tied lm_head. Left-padded batches get HF generate's
position ids (cumsum(mask) - 1, 1 on padding). Checked by check-llama-fixture.py.
"""
import torch
from torch import nn
import torch.nn.functional as F

from t5 import NEG, LayerNorm, cut_at_eos

# T5's RMS norm is Llama's: variance in float32, no mean subtraction, no bias (the final cast
# back to the input dtype of LlamaRMSNorm changes nothing in float32).
RMSNorm = LayerNorm


def rope_tables(positions, head_dim, theta):
    """positions [batch, seq] int64 -> cos, sin [batch, 1, seq, head_dim] float32."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    freqs = positions[..., None].float() * inv_freq
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos()[:, None], emb.sin()[:, None]


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.kv = c["num_attention_heads"], c["num_key_value_heads"]
        self.hd = c["hidden_size"] // self.h
        d, bias = c["hidden_size"], c.get("attention_bias", False)
        self.q_proj = nn.Linear(d, self.h * self.hd, bias=bias)
        self.k_proj = nn.Linear(d, self.kv * self.hd, bias=bias)
        self.v_proj = nn.Linear(d, self.kv * self.hd, bias=bias)
        self.o_proj = nn.Linear(self.h * self.hd, d, bias=bias)

    def forward(self, x, cos, sin, mask):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.h // self.kv
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        scores = torch.matmul(q, k.transpose(2, 3)) / (self.hd ** 0.5) + mask
        w = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(w, v).transpose(1, 2).reshape(b, s, self.h * self.hd)
        return self.o_proj(out)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, ff = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(d, ff, bias=False)
        self.up_proj = nn.Linear(d, ff, bias=False)
        self.down_proj = nn.Linear(ff, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = MLP(c)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Body(nn.Module):
    """The `model.` part of the state dict."""

    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([DecoderLayer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])


class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        assert c.get("rope_scaling") is None, "rope_scaling is not implemented"
        self.c = c
        self.model = Body(c)
        self.tied = c.get("tie_word_embeddings", False)
        if not self.tied:
            self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)

    def init_weights(self, gen):
        """Normal(0, 0.02) as HF's _init_weights, residual outputs scaled by 1/sqrt(2 layers)."""
        out_std = 0.02 / (2 * self.c["num_hidden_layers"]) ** 0.5
        for name, p in self.named_parameters():
            if name.endswith("norm.weight"):
                p.data.fill_(1.0)
            elif name.endswith(".bias"):
                p.data.zero_()
            else:
                std = out_std if name.endswith(("o_proj.weight", "down_proj.weight")) else 0.02
                p.data.normal_(0.0, std, generator=gen)

    def forward(self, ids, mask=None):
        """ids, mask: [batch, seq] int64 (mask 1 = real token, left padding) -> logits float32."""
        if mask is None:
            mask = torch.ones_like(ids)
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
        c = self.c
        cos, sin = rope_tables(positions, c["hidden_size"] // c["num_attention_heads"], c["rope_theta"])
        s = ids.shape[1]
        causal = torch.ones(s, s, dtype=torch.bool).tril()
        allowed = causal[None, None] & (mask[:, None, None, :] == 1)
        bias = torch.zeros(allowed.shape).masked_fill(~allowed, NEG)
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x, cos, sin, bias)
        x = self.model.norm(x)
        if self.tied:
            return F.linear(x, self.model.embed_tokens.weight)
        return self.lm_head(x)

    @torch.no_grad()
    def greedy(self, prompts, max_new_tokens, eos, pad):
        """prompts: list of id lists -> list of new-token lists (eos included when made).

        Left-pads the batch as HF generate does and recomputes the whole sequence each step
        (no cache: the demo's sequences are short)."""
        L = max(len(p) for p in prompts)
        ids = torch.tensor([[pad] * (L - len(p)) + p for p in prompts], dtype=torch.long)
        mask = torch.tensor([[0] * (L - len(p)) + [1] * len(p) for p in prompts], dtype=torch.long)
        b = len(prompts)
        done = torch.zeros(b, dtype=torch.bool)
        new = []
        for _ in range(max_new_tokens):
            nxt = self.forward(ids, mask)[:, -1].argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, pad), nxt)
            new.append(nxt)
            ids = torch.cat([ids, nxt[:, None]], 1)
            mask = torch.cat([mask, torch.ones(b, 1, dtype=torch.long)], 1)
            done = done | (nxt == eos)
            if bool(done.all()):
                break
        return cut_at_eos(torch.stack(new, 1).tolist(), eos)


# Tokens that the slow LlamaTokenizer splits off before SentencePiece sees the text; the demo's
# task text never contains them.
SPECIAL = ("<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>")
BOS, EOS, PAD = 1, 2, 0


def encode(sp, text, bos=True):
    """Ids as LlamaTokenizer (legacy, add_bos_token) gives for text without special tokens."""
    return ([BOS] if bos else []) + sp.encode(text)

