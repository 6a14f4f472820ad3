#!/usr/bin/env python3
"""Export a diffusion model set for persona's `diffusion` frame source (docs/diffusion.md).

NOT RUN on this project's machines (no PyTorch, no GPU, no weight downloads there): it is written
against diffusers' documented APIs and checked only by reading. Run it where PyTorch and the weights
are, then check the result with `persona models verify DIR`.

  pip install torch diffusers transformers accelerate peft onnx
  python scripts/export-diffusion-onnx.py --out ~/.persona-engine/models --size 512

Defaults: Stable Diffusion 1.5 with the LCM-LoRA fused (few-step), ControlNet v1.1 OpenPose, and the
full SD VAE (--taesd swaps in the tiny TAESD autoencoder). Every graph has fixed shapes for one frame
size, batch 1 (controlnet and unet: --batch, for stream batch), what TensorRT builds the fastest engines
for; export again for another --size.
"""
import argparse
import os
import shutil

import torch
from diffusers import AutoencoderKL, AutoencoderTiny, ControlNetModel, UNet2DConditionModel
from transformers import CLIPTextModel, CLIPTokenizer

SD_SCALE = 0.18215  # the pipeline multiplies vae_encoder's output by this and divides before vae_decoder

p = argparse.ArgumentParser()
p.add_argument("--base", default="stable-diffusion-v1-5/stable-diffusion-v1-5")
p.add_argument("--lcm-lora", default="latent-consistency/lcm-lora-sdv1-5", help="'' for a base that is already few-step (e.g. a turbo model)")
p.add_argument("--controlnet", default="lllyasviel/control_v11p_sd15_openpose")
p.add_argument("--taesd", action="store_true", help="use madebyollin/taesd as the VAE (much faster decode)")
p.add_argument("--size", type=int, default=512)
p.add_argument("--out", required=True)
p.add_argument("--opset", type=int, default=17)
p.add_argument("--batch", type=int, default=1, help="controlnet/unet batch: set it to the steps you run with streamBatch (e.g. 2)")
args = p.parse_args()

device = "cuda" if torch.cuda.is_available() else "cpu"
dtype = torch.float32
H = W = args.size
h, w = H // 8, W // 8
os.makedirs(args.out, exist_ok=True)


def export(module, inputs, name, input_names, output_names):
    path = os.path.join(args.out, name, "model.onnx")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(module, inputs, path, input_names=input_names, output_names=output_names, opset_version=args.opset, do_constant_folding=True)
    print("wrote", path)


with torch.no_grad():
    # tokenizer: copied as diffusers keeps it (vocab.json, merges.txt)
    tokenizer = CLIPTokenizer.from_pretrained(args.base, subfolder="tokenizer")
    tokenizer.save_pretrained(os.path.join(args.out, "tokenizer"))

    # text_encoder: input_ids int32 [1, 77] -> last_hidden_state [1, 77, D]
    text = CLIPTextModel.from_pretrained(args.base, subfolder="text_encoder").to(device, dtype).eval()

    class Text(torch.nn.Module):
        def forward(self, input_ids):
            return text(input_ids.long(), return_dict=False)[0]

    export(Text(), (torch.zeros(1, 77, dtype=torch.int32, device=device),), "text_encoder", ["input_ids"], ["last_hidden_state"])
    D = text.config.hidden_size

    # vae_encoder: sample [1,3,H,W] in [-1,1] -> latent_sample [1,4,h,w], unscaled (the SD VAE's convention)
    # vae_decoder: latent_sample [1,4,h,w] unscaled -> sample [1,3,H,W] in [-1,1]
    if args.taesd:
        taesd = AutoencoderTiny.from_pretrained("madebyollin/taesd").to(device, dtype).eval()

        class Enc(torch.nn.Module):
            def forward(self, sample):  # TAESD takes [0,1] and gives latents already scaled
                return taesd.encode((sample + 1) / 2).latents / SD_SCALE

        class Dec(torch.nn.Module):
            def forward(self, latent_sample):
                return taesd.decode(latent_sample * SD_SCALE).sample * 2 - 1

    else:
        vae = AutoencoderKL.from_pretrained(args.base, subfolder="vae").to(device, dtype).eval()

        class Enc(torch.nn.Module):
            def forward(self, sample):  # the distribution's mean: the same frame encodes the same way every time
                return vae.encode(sample).latent_dist.mean

        class Dec(torch.nn.Module):
            def forward(self, latent_sample):
                return vae.decode(latent_sample).sample

    export(Enc(), (torch.zeros(1, 3, H, W, device=device),), "vae_encoder", ["sample"], ["latent_sample"])
    export(Dec(), (torch.zeros(1, 4, h, w, device=device),), "vae_decoder", ["latent_sample"], ["sample"])

    # controlnet: sample, timestep [1], encoder_hidden_states, controlnet_cond [1,3,H,W] in [0,1], conditioning_scale []
    #   -> down_block_0..11, mid_block_res_sample
    controlnet = ControlNetModel.from_pretrained(args.controlnet).to(device, dtype).eval()

    class Control(torch.nn.Module):
        def forward(self, sample, timestep, encoder_hidden_states, controlnet_cond, conditioning_scale):
            down, mid = controlnet(sample, timestep, encoder_hidden_states, controlnet_cond, conditioning_scale=conditioning_scale, return_dict=False)
            return (*down, mid)

    B = args.batch
    cn_inputs = (torch.zeros(B, 4, h, w, device=device), torch.ones(B, device=device), torch.zeros(B, 77, D, device=device), torch.zeros(B, 3, H, W, device=device), torch.tensor(1.0, device=device))
    down_names = [f"down_block_{i}" for i in range(12)]
    export(Control(), cn_inputs, "controlnet", ["sample", "timestep", "encoder_hidden_states", "controlnet_cond", "conditioning_scale"], down_names + ["mid_block_res_sample"])
    residuals = Control()(*cn_inputs)

    # unet: sample, timestep, encoder_hidden_states, down_block_0..11, mid_block_additional_residual -> out_sample (epsilon)
    unet = UNet2DConditionModel.from_pretrained(args.base, subfolder="unet").to(device, dtype).eval()
    if args.lcm_lora:
        from diffusers import StableDiffusionPipeline

        pipe = StableDiffusionPipeline.from_pretrained(args.base, unet=unet, text_encoder=text, safety_checker=None)
        pipe.load_lora_weights(args.lcm_lora)
        pipe.fuse_lora()
        unet = pipe.unet.to(device, dtype).eval()

    class Unet(torch.nn.Module):
        def forward(self, sample, timestep, encoder_hidden_states, *rest):
            down, mid = list(rest[:12]), rest[12]
            return unet(sample, timestep, encoder_hidden_states, down_block_additional_residuals=down, mid_block_additional_residual=mid, return_dict=False)[0]

    export(Unet(), (cn_inputs[0], cn_inputs[1], cn_inputs[2], *residuals), "unet", ["sample", "timestep", "encoder_hidden_states", *down_names, "mid_block_additional_residual"], ["out_sample"])

print("done: check it with `persona models verify", args.out + "`")
