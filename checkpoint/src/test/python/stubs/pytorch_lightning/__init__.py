"""Stub: ldm's model classes subclass pl.LightningModule only for training; nn.Module suffices here."""
import torch.nn as _nn

LightningModule = _nn.Module
