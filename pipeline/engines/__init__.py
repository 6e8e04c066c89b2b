"""Engines by job (asr, mt, tts), each a small registry of backends, one module per backend.

Heavy libraries (CTranslate2, onnxruntime, torch) are imported inside the backend that needs
them, so `pipeline --help` and `pipeline status` start fast.
"""
