"""Sampler parity fixtures (issue #16): runs the ORIGINAL sampler functions of k-diffusion and CompVis /
Stability-AI on an analytic denoiser and writes one small JSON file per case to
../resources/fixtures/reference/. See README.md here for the sources, the stand-ins and how to rerun.

    gen_fixtures.py sd1   # k-diffusion samplers + CompVis ddim / plms / dpm_solver / ddpm (eps)
    gen_fixtures.py sd2   # Stability-AI ddim / dpm_solver on a v-prediction model

The denoiser ("mixture") is the exact posterior mean E[x0 | x_t] of per-element data drawn from the mixture
0.4 N(-0.8, 0.3^2) + 0.6 N(0.6, 0.5^2), computed in float64 and rounded to float32 once, at
alpha_bar(t) of the SD schedule (log-sigma interpolation for fractional t, k-diffusion's t_to_sigma). The
Java side (ReferenceParityTest's MixtureDenoiser) computes the same function, so the only difference left
is the sampler. The samplers themselves run in float32, as the originals do.
"""
import base64
import importlib
import json
import math
import os
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures", "reference"))
REF = os.environ.get("REF_SRC", "/tmp/ldm4j-sampler-ref-src")

T = 1000
BETAS = (np.linspace(0.00085 ** 0.5, 0.012 ** 0.5, T, dtype=np.float64)) ** 2  # CompVis "linear", float64
ALPHAS_CUMPROD = np.cumprod(1.0 - BETAS)
LOG_SIGMAS = np.log(np.sqrt((1 - ALPHAS_CUMPROD) / ALPHAS_CUMPROD))
MIX_W = (0.4, 0.6)
MIX_M = (-0.8, 0.6)
MIX_S = (0.3, 0.5)
SHAPE = (2, 4, 4, 4)


def commit(name):
    with open(os.path.join(REF, name, "COMMIT")) as f:
        return f.read().strip()


def alpha_bar_at(t):
    """alpha_bar at model time t: exact at integers, else log-sigma interpolation (k-diffusion t_to_sigma)."""
    if t == math.floor(t):
        return float(ALPHAS_CUMPROD[int(t)])
    lo = int(math.floor(t))
    hi = min(lo + 1, T - 1)
    w = t - lo
    s = math.exp((1 - w) * LOG_SIGMAS[lo] + w * LOG_SIGMAS[hi])
    return 1.0 / (1.0 + s * s)


class MixtureModel:
    """The network stand-in: (x_t, t) -> eps or v of the exact mixture denoiser. Records the call times."""

    def __init__(self, parameterization):
        self.parameterization = parameterization
        self.times = []

    def __call__(self, x, t):
        t = torch.as_tensor(t).reshape(-1).double()
        assert bool((t == t[0]).all()), "one timestep per batch"
        tt = float(t[0])
        self.times.append(tt)
        a = alpha_bar_at(tt)
        sa, s1 = math.sqrt(a), math.sqrt(1 - a)
        xd = x.detach().double().numpy()
        logs, x0s = [], []
        for w, m, s in zip(MIX_W, MIX_M, MIX_S):
            var = a * s * s + 1 - a
            logs.append(math.log(w) - 0.5 * math.log(var) - (xd - sa * m) ** 2 / (2 * var))
            x0s.append(m + sa * s * s / var * (xd - sa * m))
        top = np.maximum(logs[0], logs[1])
        e0, e1 = np.exp(logs[0] - top), np.exp(logs[1] - top)
        x0 = (e0 * x0s[0] + e1 * x0s[1]) / (e0 + e1)
        eps = (xd - sa * x0) / s1
        out = eps if self.parameterization == "eps" else sa * eps - s1 * x0
        return torch.from_numpy(out.astype(np.float32))


class Draws:
    """Records every torch.randn / torch.randn_like result while active (the samplers' noise, in order)."""

    def __enter__(self):
        self.tensors = []
        self._randn, self._randn_like = torch.randn, torch.randn_like

        def randn(*a, **k):
            r = self._randn(*a, **k)
            self.tensors.append(r.clone())
            return r

        def randn_like(x, **k):
            r = self._randn_like(x, **k)
            self.tensors.append(r.clone())
            return r

        torch.randn, torch.randn_like = randn, randn_like
        return self

    def __exit__(self, *exc):
        torch.randn, torch.randn_like = self._randn, self._randn_like


def f32(t):
    a = np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4"))
    return {"shape": list(a.shape), "f32": base64.b64encode(a.tobytes()).decode("ascii")}


def write(case, sampler, source, parameterization, plan, noise, expected, model, draws=None, init=None,
          options=None, notes=None, extra=None):
    d = {
        "case": case,
        "sampler": sampler,
        "source": source,
        "parameterization": parameterization,
        "options": options or {},
        "plan": plan,
        "noise": f32(noise),
        "expected": f32(expected),
        "model_times": model.times,
    }
    if init is not None:
        d["init"] = f32(init)
    if draws is not None:
        d["draws"] = [f32(x) for x in draws]
    if notes:
        d["notes"] = notes
    if extra:
        d.update(extra)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, case + ".json"), "w") as f:
        json.dump(d, f, indent=1)
        f.write("\n")
    print(f"{case}: max|expected| {float(expected.abs().max()):.4f}, {len(model.times)} calls, "
          f"{0 if draws is None else len(draws)} draws")


def noise_for(seed, shape=SHAPE):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g)


# ------------------------------------------------------------------------------------------------ k-diffusion

def load_kdiffusion():
    """Imports k_diffusion.sampling / .external / .utils without k_diffusion/__init__.py (which pulls in the
    training code and its dependencies)."""
    root = os.path.join(REF, "kdiffusion", "k_diffusion")
    pkg = types.ModuleType("k_diffusion")
    pkg.__path__ = [root]
    sys.modules["k_diffusion"] = pkg
    sampling = importlib.import_module("k_diffusion.sampling")
    external = importlib.import_module("k_diffusion.external")
    for m in (sampling, external):
        assert m.__file__.startswith(REF), m.__file__
    return sampling, external


class KInner(torch.nn.Module):
    """What CompVisDenoiser / CompVisVDenoiser wrap: `alphas_cumprod` (float32, as LatentDiffusion's buffer)
    and `apply_model(x, t, cond)`."""

    def __init__(self, model):
        super().__init__()
        self.register_buffer("alphas_cumprod", torch.tensor(ALPHAS_CUMPROD, dtype=torch.float32))
        self.model = model

    def apply_model(self, x, t, cond=None):
        return self.model(x, t)


def kdiffusion_cases():
    sampling, external = load_kdiffusion()
    src = commit("kdiffusion") + " k_diffusion/sampling.py"

    def denoiser(p):
        m = MixtureModel(p)
        inner = KInner(m)
        return (external.CompVisDenoiser(inner) if p == "eps" else external.CompVisVDenoiser(inner)), m

    def sigmas_of(d, kind, n):
        smin, smax = float(d.sigma_min), float(d.sigma_max)
        if kind == "karras":
            return sampling.get_sigmas_karras(n, smin, smax)
        if kind == "exponential":
            return sampling.get_sigmas_exponential(n, smin, smax)
        return d.get_sigmas(n)  # k-diffusion's own uniform-in-t ("normal") schedule

    def run(case, name, p, kind, n, seed, options=None, img2img_of=None, brownian=False, notes=None):
        options = options or {}
        # k-diffusion draws torch.randn_like(x) at every step of euler/heun/dpm_2 even without churn; the
        # draws are only kept (and checked) where they reach the result.
        stochastic = (options.get("s_churn", 0) > 0 or options.get("eta", 1.0) > 0) and not (
            name in ("euler", "heun", "dpm_2", "lms", "dpmpp_2m") and options.get("s_churn", 0) == 0)
        d, m = denoiser(p)
        sig = sigmas_of(d, kind, img2img_of or n)
        if img2img_of:
            sig = sig[-(n + 1):]
        noise = noise_for(seed)
        init = noise_for(seed + 1000) * 0.5 if img2img_of else None
        x = noise * sig[0] if init is None else init + noise * sig[0]
        fn = getattr(sampling, "sample_" + name)
        kw = dict(options)
        if brownian:
            kw["noise_sampler"] = sampling.BrownianTreeNoiseSampler(x, sig[sig > 0].min(), sig.max(), seed=seed)
        torch.manual_seed(seed)
        with Draws() as dr:
            out = fn(d, x, sig, extra_args={"cond": None}, disable=True, **kw)
        plan = {"kind": "sigmas", "values": [float(s) for s in sig], "schedule": kind,
                "steps": img2img_of or n}
        extra = {"brownian_tree_seed": seed} if brownian else None
        draws = dr.tensors if stochastic and not brownian else None
        write(case, name, src + " sample_" + name, p, plan, noise, out, m, draws=draws, init=init,
              options=options, notes=notes, extra=extra)

    run("euler-karras9-eps", "euler", "eps", "karras", 9, 11)
    run("euler-normal20-v", "euler", "v", "normal", 20, 12)
    run("euler-churn-karras9-eps", "euler", "eps", "karras", 9, 13, {"s_churn": 1.0})
    run("euler-img2img6of12-eps", "euler", "eps", "karras", 6, 14, img2img_of=12)
    run("euler_ancestral-karras9-eps", "euler_ancestral", "eps", "karras", 9, 21)
    run("euler_ancestral-eta0-karras5-v", "euler_ancestral", "v", "karras", 5, 22, {"eta": 0.0})
    run("heun-karras9-eps", "heun", "eps", "karras", 9, 31)
    run("heun-churn-exponential9-v", "heun", "v", "exponential", 9, 32,
        {"s_churn": 2.0, "s_tmin": 0.5, "s_tmax": 10.0})
    run("dpm_2-karras9-eps", "dpm_2", "eps", "karras", 9, 41)
    run("dpm_2-churn-karras5-eps", "dpm_2", "eps", "karras", 5, 42, {"s_churn": 1.5, "s_noise": 1.003})
    run("dpm_2_ancestral-karras9-eps", "dpm_2_ancestral", "eps", "karras", 9, 51)
    run("dpm_2_ancestral-eta0-karras5-v", "dpm_2_ancestral", "v", "karras", 5, 52, {"eta": 0.0})
    run("lms-karras9-eps", "lms", "eps", "karras", 9, 61)
    run("lms-normal20-v", "lms", "v", "normal", 20, 62)
    run("dpmpp_2s_ancestral-karras9-eps", "dpmpp_2s_ancestral", "eps", "karras", 9, 71)
    run("dpmpp_2s_ancestral-eta0-karras5-v", "dpmpp_2s_ancestral", "v", "karras", 5, 72, {"eta": 0.0})
    run("dpmpp_2m-karras9-eps", "dpmpp_2m", "eps", "karras", 9, 81)
    run("dpmpp_2m-exponential20-v", "dpmpp_2m", "v", "exponential", 20, 82)
    run("dpmpp_2m-img2img5of10-eps", "dpmpp_2m", "eps", "karras", 5, 83, img2img_of=10)
    bt = "noise from k-diffusion's BrownianTreeNoiseSampler(x, sigma_min, sigma_max, seed) (torchsde)"
    for name, base in (("dpmpp_sde", 91), ("dpmpp_2m_sde", 93), ("dpmpp_3m_sde", 95)):
        run(f"{name}-karras9-eps", name, "eps", "karras", 9, base, brownian=True, notes=bt)
        run(f"{name}-eta0-karras9-v", name, "v", "karras", 9, base + 1, {"eta": 0.0}, brownian=True,
            notes="eta 0: deterministic (the Brownian tree's noise is multiplied by 0)")


# ------------------------------------------------------------------------------------------------ CompVis

def compvis_cases(family):
    """CompVis (sd1, eps) or Stability-AI (sd2, v) samplers on a LatentDiffusion stand-in."""
    from ldm.models.diffusion import ddpm as ddpm_mod
    from ldm.models.diffusion.ddim import DDIMSampler
    from ldm.models.diffusion.dpm_solver import dpm_solver as dpm_mod
    from ldm.models.diffusion.dpm_solver.sampler import DPMSolverSampler
    from ldm.models.diffusion.plms import PLMSSampler
    for m in (ddpm_mod, dpm_mod):
        assert m.__file__.startswith(os.path.join(REF, family)), m.__file__
    repo = commit(family)
    param = "eps" if family == "sd1" else "v"
    DDPM = ddpm_mod.DDPM

    class StandIn(torch.nn.Module):
        """LatentDiffusion's schedule part: DDPM.register_schedule (all buffers, float32) and the DDPM
        methods the samplers call, bound unchanged; `apply_model(x, t, c)` is the analytic model."""
        register_schedule = DDPM.register_schedule
        predict_start_from_noise = DDPM.predict_start_from_noise
        q_posterior = DDPM.q_posterior
        p_mean_variance = DDPM.p_mean_variance
        p_sample = DDPM.p_sample
        p_sample_loop = DDPM.p_sample_loop
        if hasattr(DDPM, "predict_start_from_z_and_v"):
            predict_start_from_z_and_v = DDPM.predict_start_from_z_and_v
            predict_eps_from_z_and_v = DDPM.predict_eps_from_z_and_v

        def __init__(self, model, parameterization):
            super().__init__()
            self.parameterization = parameterization
            self.v_posterior = 0.0
            self.clip_denoised = False  # CompVis clips x0 to [-1, 1] by default; meaningless for latents
            self.log_every_t = 100
            self.device = torch.device("cpu")
            self.register_schedule(beta_schedule="linear", timesteps=T, linear_start=0.00085, linear_end=0.012)
            self.model = model

        def apply_model(self, x, t, c=None, **kw):
            return self.model(x, t)

    def cpu(cls):
        class Cpu(cls):
            def register_buffer(self, name, attr):  # the originals move every buffer to CUDA
                setattr(self, name, attr)
        return Cpu

    src = repo  # "<repository> <commit>"

    def ddim(case, steps, eta, seed, t_enc=None):
        m = MixtureModel(param)
        sd = StandIn(m, param)
        s = cpu(DDIMSampler)(sd)
        noise = noise_for(seed)
        init = None
        torch.manual_seed(seed)
        with Draws() as dr:
            if t_enc is None:
                out, _ = s.sample(S=steps, batch_size=SHAPE[0], shape=SHAPE[1:], x_T=noise, eta=eta, verbose=False)
                ts = s.ddim_timesteps
            else:
                # img2img as ldm4j plans it: the lowest t_enc DDIM timesteps, the init noised to the first of
                # them (CompVis' script noises to the next higher one); stochastic_encode + decode.
                s.make_schedule(ddim_num_steps=steps, ddim_eta=eta, verbose=False)
                init = noise_for(seed + 1000) * 0.5
                x = s.stochastic_encode(init, torch.tensor([t_enc - 1] * SHAPE[0]), noise=noise)
                out = s.decode(x, None, t_enc)
                ts = s.ddim_timesteps[:t_enc]
        plan = {"kind": "timesteps", "values": [int(t) for t in np.flip(ts)], "schedule": "ddim_uniform",
                "steps": steps}
        write(case, "ddim", src + " ldm/models/diffusion/ddim.py DDIMSampler", param, plan, noise, out, m,
              draws=dr.tensors if eta > 0 else None, init=init, options={"eta": eta})

    def plms(case, steps, seed):
        m = MixtureModel(param)
        s = cpu(PLMSSampler)(StandIn(m, param))
        noise = noise_for(seed)
        out, _ = s.sample(S=steps, batch_size=SHAPE[0], shape=SHAPE[1:], x_T=noise, verbose=False)
        plan = {"kind": "timesteps", "values": [int(t) for t in np.flip(s.ddim_timesteps)],
                "schedule": "ddim_uniform", "steps": steps}
        write(case, "plms", src + " ldm/models/diffusion/plms.py PLMSSampler", param, plan, noise, out, m)

    def dpm(case, steps, seed, predict_x0=True, strength=None):
        m = MixtureModel(param)
        sd = StandIn(m, param)
        noise = noise_for(seed)
        init = None
        if predict_x0 and strength is None:
            s = DPMSolverSampler(sd, device=torch.device("cpu")) if family == "sd2" else cpu(DPMSolverSampler)(sd)
            # a placeholder conditioning: the wrapper passes `cond` to apply_model only when it is not None
            out, _ = s.sample(S=steps, batch_size=SHAPE[0], shape=SHAPE[1:], x_T=noise, verbose=False,
                              conditioning=torch.zeros(SHAPE[0], 1))
            name, what = "dpm_solver", "ldm/models/diffusion/dpm_solver/sampler.py DPMSolverSampler"
        else:
            # The same calls DPMSolverSampler.sample makes (NoiseScheduleVP('discrete'), model_wrapper,
            # DPM_Solver.sample(multistep, order 2, time_uniform, lower_order_final)), with predict_x0 False
            # (dpm_solver_eps) or, for img2img, the time grid cut as ldm4j's partial denoising cuts it.
            ns = dpm_mod.NoiseScheduleVP("discrete", alphas_cumprod=sd.alphas_cumprod)
            fn = dpm_mod.model_wrapper(lambda x, t, c: sd.apply_model(x, t, c), ns,
                                       model_type={"eps": "noise", "v": "v"}[param],
                                       guidance_type="classifier-free", condition=torch.zeros(SHAPE[0], 1),
                                       unconditional_condition=None, guidance_scale=1.0)
            solver = dpm_mod.DPM_Solver(fn, ns, predict_x0=predict_x0, thresholding=False)
            x = noise
            run_steps = steps
            if strength is not None:
                full = solver.get_time_steps("time_uniform", ns.T, 1.0 / ns.total_N, steps, "cpu")
                run_steps = int(strength * steps)
                grid = full[steps - run_steps:]
                solver.get_time_steps = lambda **kw: grid
                init = noise_for(seed + 1000) * 0.5
                t0 = grid[:1]
                x = ns.marginal_alpha(t0) * init + ns.marginal_std(t0) * noise
            out = solver.sample(x, steps=run_steps, skip_type="time_uniform", method="multistep", order=2,
                                lower_order_final=True)
            name = "dpm_solver" if predict_x0 else "dpm_solver_eps"
            what = "ldm/models/diffusion/dpm_solver/dpm_solver.py DPM_Solver"
        plan = {"kind": "planner", "schedule": "linspace", "steps": steps}
        if strength is not None:
            plan["strength"] = strength
        write(case, name, src + " " + what, param, plan, noise, out, m, init=init, options={})

    def ddpm(case, seed):
        m = MixtureModel(param)
        sd = StandIn(m, param)
        shape = (2, 1, 2, 2)  # < 16 elements: torch.randn's scalar path, which TorchGenerator reproduces
        torch.manual_seed(seed)
        with Draws() as dr:
            out = sd.p_sample_loop(shape)
        first, last = dr.tensors[0], dr.tensors[-1]
        # x_T is the first draw, then one per step (the t = 0 step's is drawn and masked out).
        torch.manual_seed(seed)
        assert torch.equal(torch.randn(shape), first)
        write(case, "ddpm", src + " ldm/models/diffusion/ddpm.py DDPM.p_sample_loop", param,
              {"kind": "timesteps", "values": list(range(T - 1, -1, -1)), "schedule": "full", "steps": T},
              first, out, m, options={},
              extra={"torch_seed": seed, "draw_count": len(dr.tensors), "last_draw": f32(last)},
              notes="noise: torch.manual_seed(torch_seed), then torch.randn(shape) per draw; x_T = first draw")

    if family == "sd1":
        ddim("ddim-uniform20-eps", 20, 0.0, 101)
        ddim("ddim-eta1-uniform5-eps", 5, 1.0, 102)
        ddim("ddim-img2img10of20-eps", 20, 0.0, 103, t_enc=10)
        plms("plms-uniform20-eps", 20, 111)
        plms("plms-uniform5-eps", 5, 112)
        dpm("dpm_solver-linspace9-eps", 9, 121)
        dpm("dpm_solver-linspace20-eps", 20, 122)
        dpm("dpm_solver-linspace5-eps", 5, 123)
        dpm("dpm_solver_eps-linspace9-eps", 9, 124, predict_x0=False)
        dpm("dpm_solver_eps-linspace20-eps", 20, 125, predict_x0=False)
        dpm("dpm_solver-img2img5of10-eps", 10, 126, strength=0.5)
        ddpm("ddpm-full-eps", 131)
    else:
        ddim("ddim-uniform10-v", 10, 0.0, 201)
        ddim("ddim-eta05-uniform5-v", 5, 0.5, 202)
        dpm("dpm_solver-linspace9-v", 9, 221)
        dpm("dpm_solver-linspace16-v", 16, 222)


# ------------------------------------------------------------------------------------------------ diffusers

def diffusers_cases():
    """diffusers' UniPCMultistepScheduler (uni_pc) and LCMScheduler (lcm), stepped as diffusers' pipelines step
    them, on the analytic network (the same SD betas, passed as trained_betas; float32 as the schedulers make
    them). The schedulers work on the variance-preserving sample x_vp = x / sqrt(1 + sigma^2); each run starts
    from x_vp = sigma_0 * noise / sqrt(1 + sigma_0^2) (or from add_noise(init, noise) for img2img), i.e. from
    ldm4j's x = sigma_0 * noise (init + sigma_0 * noise), and ends at sigma = 0 where x_vp = x."""
    import diffusers_stubs
    unipc_mod, lcm_mod = diffusers_stubs.install(os.path.join(REF, "diffusers", "src", "diffusers"))
    src = commit("diffusers") + " src/diffusers/schedulers/"
    ptype = {"eps": "epsilon", "v": "v_prediction"}

    def to_vp(x, sigma):
        return x / torch.sqrt(1 + sigma * sigma)

    def unipc(case, p, n, seed, order=2, img2img_of=None):
        m = MixtureModel(p)
        s = unipc_mod.UniPCMultistepScheduler(trained_betas=BETAS, prediction_type=ptype[p], solver_order=order)
        total = img2img_of or n
        s.set_timesteps(total)
        begin = total - n
        noise = noise_for(seed)
        init = noise_for(seed + 1000) * 0.5 if img2img_of else None
        sig0 = s.sigmas[begin]
        if img2img_of:
            s.set_begin_index(begin)  # what the img2img pipelines do
            x = s.add_noise(init, noise, s.timesteps[begin:begin + 1])
        else:
            x = to_vp(noise * sig0, sig0)
        for t in s.timesteps[begin:]:
            x = s.step(m(x, t), t, x).prev_sample
        plan = {"kind": "sigmas", "values": [float(v) for v in s.sigmas[begin:]], "schedule": "linspace",
                "steps": total}
        options = {"order": order} if order != 2 else {}
        write(case, "uni_pc", src + "scheduling_unipc_multistep.py UniPCMultistepScheduler", p, plan, noise, x, m,
              init=init, options=options,
              notes=f"UniPCMultistepScheduler(trained_betas=SD, prediction_type={ptype[p]}, solver_order={order}; "
                    "defaults: bh2, predict_x0, lower_order_final, linspace, final_sigmas_type zero)")

    def lcm(case, p, n, seed, timesteps=None):
        m = MixtureModel(p)
        s = lcm_mod.LCMScheduler(trained_betas=BETAS, prediction_type=ptype[p])
        if timesteps is None:
            s.set_timesteps(n)
        else:
            s.set_timesteps(timesteps=timesteps)
        ts = [int(t) for t in s.timesteps]
        sig = [math.sqrt((1 - float(s.alphas_cumprod[t])) / float(s.alphas_cumprod[t])) for t in ts] + [0.0]
        noise = noise_for(seed)
        sig0 = torch.tensor(sig[0], dtype=torch.float32)
        x = to_vp(noise * sig0, sig0)
        g = torch.Generator().manual_seed(seed)
        with Draws() as dr:
            for t in s.timesteps:
                x = s.step(m(x, t), t, x, generator=g).prev_sample
        plan = {"kind": "sigmas", "values": sig, "schedule": "lcm" if timesteps is None else "custom",
                "steps": len(ts), "timesteps": ts}
        write(case, "lcm", src + "scheduling_lcm.py LCMScheduler", p, plan, noise, x, m, draws=dr.tensors,
              notes=f"LCMScheduler(trained_betas=SD, prediction_type={ptype[p]}; defaults: timestep_scaling 10, "
                    "original_inference_steps 50, set_alpha_to_one); the step's draws via a CPU torch.Generator")

    unipc("uni_pc-linspace5-eps", "eps", 5, 301)
    unipc("uni_pc-linspace9-eps", "eps", 9, 302)
    unipc("uni_pc-linspace20-eps", "eps", 20, 303)
    unipc("uni_pc-linspace5-v", "v", 5, 304)
    unipc("uni_pc-linspace9-v", "v", 9, 305)
    unipc("uni_pc-linspace20-v", "v", 20, 306)
    unipc("uni_pc-order3-linspace9-eps", "eps", 9, 307, order=3)
    unipc("uni_pc-order1-linspace9-v", "v", 9, 308, order=1)
    unipc("uni_pc-img2img6of12-eps", "eps", 6, 309, img2img_of=12)
    lcm("lcm-lcm4-eps", "eps", 4, 311)
    lcm("lcm-lcm8-v", "v", 8, 312)
    # timesteps down to 1, where the boundary condition matters (c_skip(1) = 0.25 / 100.25)
    lcm("lcm-custom-to1-eps", "eps", None, 313, timesteps=[999, 759, 499, 259, 99, 19, 5, 1])


if __name__ == "__main__":
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    which = sys.argv[1]
    if which == "diffusers":
        diffusers_cases()
        sys.exit(0)
    if which == "sd1":
        kdiffusion_cases()
    compvis_cases(which)
