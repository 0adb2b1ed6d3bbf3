"""The benchmark: how well and how fast the assistant hears, beside the usual ways.

``massage-assistant bench [--quick]``; the method is in ``bench/README.md``.
Modules: :mod:`.corpus` (the shared recordings), :mod:`.sets` (labelled audio),
:mod:`.snr` (noise mixing), :mod:`.systems` (the listeners compared), :mod:`.measure`
(running one over audio), :mod:`.plan` and :mod:`.work` (what to run, in workers),
:mod:`.probe` (start-up and memory), :mod:`.report` and :mod:`.run`.
"""
