"""Train the bundled demo model (models/demo-t5) from scratch on CPU.

Usage (from the repository root; Debian's python3 with python3-torch, python3-sentencepiece and
libopenblas0-pthread). The shipped model was made by these three runs, in this order:
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/demo-model/train.py --work W --steps 2000 --stop-at 1000
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/demo-model/train.py --work W --resume --steps 3000 --stop-at 2000
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/demo-model/train.py --work W --resume --steps 4000 --mix 1,2,1
(each later run extends the cosine schedule; the last one doubles the share of "words to number").
Writes the Hugging Face style model directory to --out and PyTorch's greedy outputs on a held-out
set to test/demo-model/__fixtures__/torch-greedy.json.
"""
import argparse
import json
import math
import os
import random
import shutil
import sys
import time

import sentencepiece as spm
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tasks import TASKS, held_out, make_example  # noqa: E402
from t5 import T5, save_safetensors  # noqa: E402
from export import export_model, write_greedy_fixture  # noqa: E402

EVAL_SEED = 777          # small held-out set watched during training
FIXTURE_SEED = 20261125  # held-out set of the TypeScript tests and the PyTorch greedy fixture
EXTRA_IDS = 100
MAX_NEW_TOKENS = 48


def add_common_args(p, steps, eval_every):
    """The options of train.py and train-llama.py alike: schedule, data stream, evaluation, runs."""
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--steps", type=int, default=steps)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--mix", default="1,1,1", help="task weights: number to words, words to number, date")
    p.add_argument("--eval-every", type=int, default=eval_every)
    p.add_argument("--eval-per-task", type=int, default=40)
    p.add_argument("--fixture-per-task", type=int, default=200)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--deadline-min", type=float, default=0, help="stop early after this many minutes")
    p.add_argument("--stop-at", type=int, default=0, help="stop (save, export) at this step; the schedule still spans --steps")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--export-only", action="store_true")


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="models/demo-t5")
    p.add_argument("--fixture", default="test/demo-model/__fixtures__/torch-greedy.json")
    p.add_argument("--work", default="tmp/demo-t5-work", help="checkpoint and vocabulary (tmp/ is git-ignored)")
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--d-ff", type=int, default=384)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--dec-layers", type=int, default=3)
    p.add_argument("--bias-lr-mult", type=float, default=25.0)
    p.add_argument("--vocab", type=int, default=600)
    add_common_args(p, steps=2000, eval_every=500)
    return p.parse_args()


def train_tokenizer(args):
    """SentencePiece unigram with T5's special ids (pad 0, eos 1, unk 2, no bos), digits split."""
    path = os.path.join(args.work, "spiece")
    if os.path.exists(path + ".model"):
        return path + ".model"
    rng = random.Random(args.seed)
    lines = []
    for _ in range(20000):
        src, tgt = make_example(TASKS[rng.randrange(3)], rng.random)
        lines += [src, tgt]
    lines.append("".join(chr(c) for c in range(33, 127)))
    lines.append("Translate, summarize or answer: what is the date today? The quick brown fox jumps.")
    corpus = os.path.join(args.work, "corpus.txt")
    with open(corpus, "w") as f:
        f.write("\n".join(lines) + "\n")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=path, model_type="unigram", vocab_size=args.vocab,
        hard_vocab_limit=False, pad_id=0, eos_id=1, unk_id=2, bos_id=-1, split_digits=True,
        character_coverage=1.0, normalization_rule_name="nmt_nfkc", num_threads=1,
        minloglevel=2)
    return path + ".model"


def model_config(args, sp_size):
    vocab = sp_size + EXTRA_IDS
    vocab = (vocab + 7) // 8 * 8
    return {
        "d_model": args.d_model, "d_kv": args.d_model // args.heads, "d_ff": args.d_ff,
        "num_layers": args.layers, "num_decoder_layers": args.dec_layers, "num_heads": args.heads,
        "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128,
        "layer_norm_epsilon": 1e-6, "vocab_size": vocab,
    }


def encode(sp, text):
    return sp.encode(text) + [1]


class Batches:
    """Deterministic stream of length-bucketed batches; chunk k depends only on (seed, k)."""

    def __init__(self, sp, args, exclude):
        self.sp, self.args, self.exclude = sp, args, exclude

    def pick(self, rng):
        """A task; uniform unless --mix gives other weights."""
        weights = [float(w) for w in self.args.mix.split(",")]
        if len(set(weights)) == 1:
            return TASKS[rng.randrange(3)]
        return rng.choices(TASKS, weights=weights)[0]

    def chunk(self, k):
        rng = random.Random(self.args.seed * 100003 + k)
        n = self.args.batch * 32
        pairs = []
        while len(pairs) < n:
            src, tgt = make_example(self.pick(rng), rng.random)
            if src in self.exclude:
                continue
            pairs.append((encode(self.sp, src), encode(self.sp, tgt)))
        pairs.sort(key=lambda p: (len(p[0]), len(p[1])))
        bs = [pairs[i:i + self.args.batch] for i in range(0, n, self.args.batch)]
        rng.shuffle(bs)
        return [collate(b) for b in bs]

    def get(self, step):
        per = 32
        k, i = divmod(step, per)
        if getattr(self, "_k", None) != k:
            self._k, self._chunk = k, self.chunk(k)
        return self._chunk[i]


def pad(seqs, value):
    L = max(len(s) for s in seqs)
    return torch.tensor([s + [value] * (L - len(s)) for s in seqs], dtype=torch.long)


def collate(batch):
    ids = pad([s for s, _ in batch], 0)
    labels = pad([t for _, t in batch], -100)
    dec_in = torch.cat([torch.zeros(len(batch), 1, dtype=torch.long), labels[:, :-1].clamp(min=0)], 1)
    return ids, (ids != 0).long(), dec_in, labels


def training_exclusions(items):
    """Held-out inputs kept out of the training stream: all dates, and numbers from 1000 up
    (below 1000 there are too few numbers to leave any out)."""
    return {it["input"] for it in items
            if it["task"] == "date" or int(it["target"] if it["task"] == "words to number"
                                             else it["input"].split(": ")[1]) >= 1000}


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    frac = min(1.0, (step - args.warmup) / max(1, args.steps - args.warmup))
    return args.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))


def greedy_eval(model, sp, items, batch=100):
    """Greedy outputs (ids after the start token) for items, in batches sorted by length."""
    model.eval()
    enc = [encode(sp, it["input"]) for it in items]
    order = sorted(range(len(items)), key=lambda i: len(enc[i]))
    outs = [None] * len(items)
    for s in range(0, len(order), batch):
        idx = order[s:s + batch]
        ids = pad([enc[i] for i in idx], 0)
        res = model.greedy(ids, (ids != 0).long(), MAX_NEW_TOKENS)
        for i, r in zip(idx, res):
            outs[i] = r
    model.train()
    return enc, outs


def decode_ids(sp, ids):
    return sp.decode([t for t in ids if t > 2 and t < sp.get_piece_size()])


def accuracy(sp, items, outs):
    acc = {}
    for t in TASKS:
        sel = [(it, o) for it, o in zip(items, outs) if it["task"] == t]
        acc[t] = sum(decode_ids(sp, o) == it["target"] for it, o in sel) / max(1, len(sel))
    return acc


def make_optimizer(model, args):
    """AdamW; the relative position biases learn --bias-lr-mult times faster (they must reach
    magnitudes of several units, far from their init) and, like the layer norms, skip weight decay."""
    groups = {"pos": [], "norm": [], "rest": []}
    for name, p in model.named_parameters():
        key = "pos" if "relative_attention_bias" in name else "norm" if "layer_norm" in name else "rest"
        groups[key].append(p)
    return torch.optim.AdamW([
        {"params": groups["pos"], "mult": args.bias_lr_mult, "weight_decay": 0.0},
        {"params": groups["norm"], "mult": 1.0, "weight_decay": 0.0},
        {"params": groups["rest"], "mult": 1.0, "weight_decay": 0.01},
    ], lr=args.lr, betas=(0.9, 0.98))


def save_ckpt(path, model, opt, step, cfg):
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "cfg": cfg}, tmp)
    os.replace(tmp, path)


def resume_step(args, ckpt, model, opt, cfg):
    """The step to go on from: the checkpoint's (loaded into model and opt) with --resume or
    --export-only, else 0."""
    if not (args.resume or args.export_only):
        return 0
    st = torch.load(ckpt)
    assert st["cfg"] == cfg, (st["cfg"], cfg)
    model.load_state_dict(st["model"])
    opt.load_state_dict(st["opt"])
    print("resumed at step", st["step"], flush=True)
    return st["step"]


def keep_training(args, step, t0):
    """False once --steps, --stop-at or --deadline-min is reached, or with --export-only."""
    if step >= args.steps or args.export_only or (args.stop_at and step >= args.stop_at):
        return False
    if args.deadline_min and time.time() - t0 > args.deadline_min * 60:
        print("deadline reached at step", step, flush=True)
        return False
    return True


def backprop(model, opt, loss):
    """One optimizer step on loss, gradients clipped to norm 1."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    sp_path = train_tokenizer(args)
    sp = spm.SentencePieceProcessor(model_file=sp_path)
    cfg = model_config(args, sp.get_piece_size())
    print("pieces", sp.get_piece_size(), "config", cfg, flush=True)
    eval_items = held_out(EVAL_SEED, args.eval_per_task)
    fix_items = held_out(FIXTURE_SEED, args.fixture_per_task)
    exclude = training_exclusions(eval_items + fix_items)
    model = T5(cfg)
    gen = torch.Generator().manual_seed(args.seed)
    model.init_weights(gen)
    print("params", sum(p.numel() for p in model.parameters()), flush=True)
    opt = make_optimizer(model, args)
    ckpt = os.path.join(args.work, "ckpt.pt")
    step = resume_step(args, ckpt, model, opt, cfg)
    torch.manual_seed(args.seed + step)
    data = Batches(sp, args, exclude)
    t0 = time.time()
    model.train()
    loss_avg = None
    while keep_training(args, step, t0):
        ids, mask, dec_in, labels = data.get(step)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args) * g["mult"]
        logits = model.decode(dec_in, model.encode(ids, mask), mask)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
        backprop(model, opt, loss)
        step += 1
        loss_avg = loss.item() if loss_avg is None else 0.95 * loss_avg + 0.05 * loss.item()
        if step % 25 == 0:
            el = time.time() - t0
            print(f"step {step} loss {loss_avg:.4f} lr {lr_at(step, args):.2e} elapsed {el:.0f}s", flush=True)
        if step % args.eval_every == 0 or step == args.steps:
            save_ckpt(ckpt, model, opt, step, cfg)
            _, outs = greedy_eval(model, sp, eval_items)
            print("eval", step, json.dumps(accuracy(sp, eval_items, outs)), flush=True)
    save_ckpt(ckpt, model, opt, step, cfg)
    export_model(args.out, model, cfg, sp_path, sp.get_piece_size(), EXTRA_IDS, MAX_NEW_TOKENS)
    enc, outs = greedy_eval(model, sp, fix_items)
    acc = accuracy(sp, fix_items, outs)
    print("fixture accuracy", json.dumps(acc), flush=True)
    write_greedy_fixture(args.fixture, fix_items, enc, outs, [decode_ids(sp, o) for o in outs], acc,
                         FIXTURE_SEED, MAX_NEW_TOKENS, step)
    print("done in", round(time.time() - t0), "s", flush=True)


if __name__ == "__main__":
    main()
