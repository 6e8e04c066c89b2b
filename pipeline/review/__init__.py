"""The review desk (`pipeline review`): watch, fix, rerun and sign off every version.

Only project.py touches the pipeline's internals; the rest talks to its ReviewProject.
"""
