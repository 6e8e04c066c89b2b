"""Stages: one module per stage, each a function of its input files and a frozen parameters
object (pipeline.stages.base). Which stages exist, in which order, and what each reads from
is the stage table (pipeline.stage_table); the registry (pipeline.orchestration.registry) joins the two."""
