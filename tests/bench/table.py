# Benchmark table for tests/bench/bench.py: one entry per mixmaster element.
#
# To benchmark a new element, add an entry to ELEMENTS. Nothing else changes.
#
#   element  the element's name; rows are skipped with a note while the plugin lacks it
#   ours     list of {"name": short label, "gst": gst-launch fragment}
#   peers    list of peers; each has "name" and exactly one of
#              "gst":    a gst-launch fragment (stock elements, or LV2 plugins through
#                        GStreamer's lv2 element: "lsp-plug-in-plugins-lv2-limiter-stereo th=0.891")
#              "ffmpeg": an ffmpeg -af filter chain (stock filters, or LV2 plugins through
#                        ffmpeg's lv2 filter; the URI's colon needs two levels of escaping,
#                        so in this file: "lv2=p=http\\\\://gareus.org/oss/lv2/dpl#stereo")
#            optional "note" (printed under the table: what the settings mean, how they map
#            to ours) and "package" (Debian package to name when the peer is missing).
#
# Every fragment is run on the same file and framed the same way by bench.py:
#   gst-launch-1.0 filesrc ! wavparse ! audio/x-raw,format=F32LE,rate=48000,channels=2
#                  ! <fragment> ! audio/x-raw,format=F32LE,rate=48000,channels=2 ! fakesink
#   ffmpeg -i file -af aformat=sample_fmts=flt:channel_layouts=stereo,<filter>,aformat=... \
#          -c:a pcm_f32le -f null -
# A gst fragment containing "{src}" is a whole pipeline instead: each "{src}" expands to
# "filesrc ! wavparse ! caps" (use it twice for a key/sidechain input) and "{sink}" to
# "caps ! fakesink". An ffmpeg peer with "inputs": N gets the file N times as labelled
# float streams [in0] .. [inN-1]; its filter must consume them and produce one output.
#
# Peers are timed once per element and compared with every "ours" row of that element.
# Pick settings that make each peer do the same job as ours, and say in "note" where they
# differ. A peer at unity settings may take a pass-through shortcut: avoid that.

ELEMENTS = [
    {
        "element": "stereowidth",
        "ours": [
            {"name": "width=1.5", "gst": "stereowidth width=1.5"},
            {"name": "width=1.5 bass-mono-freq=120",
             "gst": "stereowidth width=1.5 bass-mono-freq=120"},
        ],
        "peers": [
            {"name": "ffmpeg stereotools slev=1.5",
             "ffmpeg": "stereotools=slev=1.5",
             "package": "ffmpeg",
             "note": "ffmpeg stereotools slev=1.5: side level x1.5 (L/R in, L/R out); "
                     "it works in double, so ffmpeg adds flt->dbl->flt conversions, "
                     "counted as part of the peer"},
            {"name": "ffmpeg extrastereo m=1.5",
             "ffmpeg": "extrastereo=m=1.5",
             "package": "ffmpeg",
             "note": "ffmpeg extrastereo m=1.5: L' = M + 1.5*(L-M), R' likewise, i.e. "
                     "side x1.5, float in place"},
            {"name": "gst audioconvert mix-matrix",
             "gst": 'audioconvert mix-matrix="<<(float)1.0, (float)-0.2>, '
                    '<(float)-0.2, (float)1.0>>"',
             "package": "gstreamer1.0-plugins-base",
             "note": "gst audioconvert mix-matrix <<1.0,-0.2>,<-0.2,1.0>>: the 2x2 M/S width "
                     "matrix for width 1.5, scaled by 0.8 because audioconvert only accepts "
                     "coefficients in [-1, 1] (the exact matrix is <<1.25,-0.25>,<-0.25,1.25>>); "
                     "same cost, not identity, so audioconvert does not pass through"},
        ],
    },

    # Example for a later element (kept as a comment until the element exists; the two
    # peer fragments were checked to run on Debian 12 with lsp-plugins-lv2 and x42-plugins):
    #
    # {
    #     "element": "masterlimiter",
    #     "ours": [{"name": "ceiling -1 dBTP", "gst": "masterlimiter ceiling=-1"}],
    #     "peers": [
    #         {"name": "LSP Limiter Stereo (gst lv2)",
    #          "gst": "lsp-plug-in-plugins-lv2-limiter-stereo th=0.891",
    #          "package": "lsp-plugins-lv2",
    #          "note": "LSP ports take linear gains: th=0.891 is -1 dBFS"},
    #         {"name": "x42 dpl (ffmpeg lv2)",
    #          "ffmpeg": "lv2=p=http\\\\://gareus.org/oss/lv2/dpl#stereo:c=threshold=-1|truepeak=1",
    #          "package": "x42-plugins",
    #          "note": "x42 plugins need ffmpeg's lv2 filter: GStreamer's lv2 element "
    #                  "cannot drive their atom ports"},
    #     ],
    # },
]
