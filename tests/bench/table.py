# Benchmark table for tests/bench/bench.py: one entry per mixmaster element.
#
# To benchmark a new element, add an entry to ELEMENTS. Nothing else changes.
#
#   element  the element's name; rows are skipped with a note while the plugin lacks it
#   ours     list of {"name": short label, "gst": gst-launch fragment}
#   peers    list of peers; each has "name" and exactly one of
#              "gst":    a gst-launch fragment (stock elements, or LV2 plugins through
#                        GStreamer's lv2 element: "lsp-plug-in-plugins-lv2-limiter-stereo enabled=true th=0.891";
#                        GStreamer's lv2 element gives LV2 toggle ports a default of FALSE
#                        whatever the plugin's .ttl says, so LSP plugins need enabled=true
#                        or they run as a bypass)
#              "ffmpeg": an ffmpeg -af filter chain (stock filters, or LV2 plugins through
#                        ffmpeg's lv2 filter; the URI's colon needs two levels of escaping,
#                        so in this file: "lv2=p=http\\\\://gareus.org/oss/lv2/dpl#stereo")
#              "sox":    sox effects and their arguments, split like a shell would
#                        ("compand 0.01,0.15 -18,-18,0,-13.5"); sox is a separate program,
#                        so a run with a sox peer also times sox's own decode-only baseline
#            optional "note" (printed under the table: what the settings mean, how they map
#            to ours), "package" (Debian package to name when the peer is missing) and
#            "against" (the names of the ours rows it is compared with; default: all).
#
# Every fragment is run on the same file and framed the same way by bench.py:
#   gst-launch-1.0 filesrc ! wavparse ! audio/x-raw,format=F32LE,rate=48000,channels=2
#                  ! <fragment> ! audio/x-raw,format=F32LE,rate=48000,channels=2 ! fakesink
#   ffmpeg -i file -af aformat=sample_fmts=flt:channel_layouts=stereo,<filter>,aformat=... \
#          -c:a pcm_f32le -f null -
#   sox -V1 --buffer 3840 file -n <effects>          (-n: sox's null output)
# A gst fragment containing "{src}" is a whole pipeline instead: each "{src}" expands to
# "filesrc ! wavparse ! caps" (use it twice for a key/sidechain input) and "{sink}" to
# "caps ! fakesink". An ffmpeg peer with "inputs": N gets the file N times as labelled
# float streams [in0] .. [inN-1]; its filter must consume them and produce one output.
#
# Peers are timed once per element and compared with every "ours" row of that element, or
# only with the ours rows named in its "against" (an analyzer peer against our analyze mode,
# a normalizer against our normalizing mode).
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

    {
        # Issue job: 5 bands on stereo F32 48 kHz -- high-pass 30 Hz 12 dB/oct, low shelf
        # 100 Hz +2 dB, peaking 400 Hz -3 dB Q 1, peaking 3 kHz +2 dB Q 1.4, high shelf
        # 10 kHz +1.5 dB (shelves at Q 0.707, mixeq's default). Every peer was checked by
        # measuring its transfer function on the bench signal (15 Hz .. 20 kHz) against the
        # RBJ-cookbook cascade of that job; the deviations are given in each note.
        "element": "mixeq",
        "ours": [
            {"name": "5 bands HP30 LS100 PK400 PK3k HS10k",
             "gst": "mixeq num-bands=5 "
                    "band0::type=high-pass band0::freq=30 "
                    "band1::type=low-shelf band1::freq=100 band1::gain=2 "
                    "band2::freq=400 band2::gain=-3 band2::q=1 "
                    "band3::freq=3000 band3::gain=2 band3::q=1.4 "
                    "band4::type=high-shelf band4::freq=10000 band4::gain=1.5"},
        ],
        "peers": [
            {"name": "gst equalizer-nbands 5 bands",
             "gst": "equalizer-nbands num-bands=5 "
                    "band0::type=1 band0::freq=15 band0::bandwidth=21.2 band0::gain=-24 "
                    "band1::type=1 band1::freq=100 band1::bandwidth=141.4 band1::gain=2 "
                    "band2::type=0 band2::freq=400 band2::bandwidth=399.7 band2::gain=-3 "
                    "band3::type=0 band3::freq=3000 band3::bandwidth=2075 band3::gain=2 "
                    "band4::type=2 band4::freq=10000 band4::bandwidth=9156 band4::gain=1.5",
             "package": "gstreamer1.0-plugins-good",
             "note": "gst equalizer-nbands: RBJ-style biquads whose width is a bandwidth in Hz "
                     "(alpha = tan(pi*bw/rate)); bw = rate/pi*atan(sin(w0)/(2Q)) gives Q 1 at "
                     "400 Hz (399.7 Hz), Q 1.4 at 3 kHz (2075 Hz) and the shelves' Q 0.707 "
                     "(141.4 Hz at 100 Hz, 9156 Hz at 10 kHz). It has no high-pass: band0 is a "
                     "-24 dB low shelf at 15 Hz (Q 0.707), within 0.05 dB of the 12 dB/oct "
                     "30 Hz high-pass from 30 Hz up and 0.35 dB at 15 Hz, but it floors at "
                     "-24 dB below that. Same cost: 5 biquads"},
            {"name": "LSP Para EQ x16 Stereo (gst lv2)",
             "gst": "lsp-plug-in-plugins-lv2-para-equalizer-x16-stereo enabled=true "
                    "ft-0=2 fm-0=6 s-0=0 f-0=30 q-0=0.707 "
                    "ft-1=5 fm-1=6 f-1=100 g-1=1.2589 q-1=0.707 "
                    "ft-2=1 fm-2=6 f-2=400 g-2=0.70795 q-2=1 "
                    "ft-3=1 fm-3=6 f-3=3000 g-3=1.2589 q-3=1.4 "
                    "ft-4=3 fm-4=6 f-4=10000 g-4=1.1885 q-4=0.707",
             "package": "lsp-plugins-lv2",
             "note": "LSP Parametric Equalizer x16 Stereo (the smallest stereo one in "
                     "lsp-plugins-lv2 1.2; filters 5-15 stay Off), IIR mode, FFT analysis off. "
                     "Filter types 2 Hi-pass, 5 Lo-shelf, 1 Bell x2, 3 Hi-shelf, all in mode "
                     "6 'APO (DR)' (RBJ-cookbook biquads, so q-N is the usual Q; slope x1 = "
                     "12 dB/oct); gains are linear (1.2589 = +2 dB, 0.70795 = -3 dB, "
                     "1.1885 = +1.5 dB). Measured within 0.05 dB of the job. enabled=true is "
                     "required: GStreamer's lv2 element defaults LSP's enable port to off and "
                     "the plugin then passes audio through untouched. LV2 runs on "
                     "per-channel buffers, so the element deinterleaves and interleaves"},
            {"name": "x42 fil4 stereo (ffmpeg lv2)",
             "ffmpeg": "lv2=p=http\\\\://gareus.org/oss/lv2/fil4#stereo:c=enable=1"
                       "|HighPass=1|HPfreq=30|HPQ=0.7"
                       "|LSsec=1|LSfreq=100|LSq=1|LSgain=2"
                       "|sec1=1|freq1=400|q1=0.45|gain1=-3"
                       "|sec2=1|freq2=3000|q2=0.32|gain2=2"
                       "|sec3=0|sec4=0"
                       "|HSsec=1|HSfreq=10000|HSq=1|HSgain=1.5",
             "package": "x42-plugins",
             "note": "x42-eq (fil4) stereo through ffmpeg's lv2 filter: 12 dB/oct high-pass "
                     "at 30 Hz (HPQ 0.7, flat), low shelf 100 Hz +2, bells 1 and 2 at "
                     "400 Hz -3 and 3 kHz +2, high shelf 10 kHz +1.5; bells 3 and 4 off, "
                     "low-pass off. fil4's width ports are not Q: the values were fitted by "
                     "measurement (q1 0.45 ~ Q 1, q2 0.32 ~ Q 1.4, shelf width 1 ~ Q 0.707); "
                     "the whole curve is within 0.2 dB of the job. The lv2 filter works on "
                     "planar float, so ffmpeg adds flt<->fltp conversions, counted as part "
                     "of the peer"},
            {"name": "ffmpeg 5 biquad filters",
             "ffmpeg": "highpass=f=30,lowshelf=f=100:t=q:w=0.707:g=2,"
                       "equalizer=f=400:t=q:w=1:g=-3,equalizer=f=3000:t=q:w=1.4:g=2,"
                       "highshelf=f=10000:t=q:w=0.707:g=1.5",
             "package": "ffmpeg",
             "note": "ffmpeg highpass (2 poles, Q 0.707 = 12 dB/oct), lowshelf, 2x equalizer "
                     "(t=q), highshelf: five RBJ biquads in single precision, each its own "
                     "filter in the graph. The shelves get t=q:w=0.707 explicitly (ffmpeg's "
                     "shelf default is Q 0.5). Measured within 0.05 dB of the job. ffmpeg's "
                     "biquads work on planar samples, so ffmpeg adds flt<->fltp conversions, "
                     "counted as part of the peer"},
        ],
    },

    {
        # Issue job: downward compression of the stereo F32 48 kHz signal -- RMS detector
        # (10 ms window), stereo linked, threshold -18 dBFS, ratio 4, 6 dB soft knee, attack
        # 10 ms, release 150 ms, no makeup, no lookahead. Every peer was checked to compress
        # (nothing passes through): a 1 kHz sine stepped from -40 to -3.5 dBFS RMS gives each
        # peer's static curve, a -30 -> -6 -> -30 dB step its attack/release, and the bench
        # signal in quiet (-24 dB) and loud (+3 dB) sections its gain reduction on this
        # material; the numbers are in each note. Ours on the same checks: static curve
        # within 0.02 dB of the job, 63 % of the step's gain change in 16 ms (attack plus the
        # 10 ms RMS average) and 164 ms (release), 3.7 dB off the loud section (a static RMS
        # compressor on the long-term RMS: 2.7 dB). The bench signal itself (about -17.4 dBFS
        # RMS per channel) sits in the knee: 1.5 dB (ours) to 4.3 dB (sox) of gain reduction.
        "element": "mixcomp",
        "ours": [
            {"name": "RMS linked T-18 R4 knee 6 A10 R150",
             "gst": "mixcomp threshold=-18 ratio=4 knee=6 attack=10 release=150 makeup=0 "
                    "detector=rms rms-window=10 stereo-link=1 lookahead=0 mix=1"},
        ],
        "peers": [
            {"name": "LSP Compressor Stereo (gst lv2)",
             "gst": "lsp-plug-in-plugins-lv2-compressor-stereo enabled=true "
                    "al=0.125893 cr=4 kn=0.70795 at=10 rt=150 mk=1 "
                    "scm=1 scr=10 scs=5 sct=0 cm=0",
             "package": "lsp-plugins-lv2",
             "note": "LSP Compressor Stereo through GStreamer's lv2 element, enabled=true "
                     "(GStreamer's lv2 element defaults LSP's enable port to off and the "
                     "plugin then passes audio through). Downward, feed-forward; linear gains: "
                     "attack threshold al=0.125893 (-18 dB), makeup mk=1 (0 dB); ratio cr=4; "
                     "knee kn=0.70795 (-3 dB: LSP's knee runs from threshold*kn to "
                     "threshold/kn, so -3 dB is a 6 dB wide knee); sidechain RMS (scm=1) over "
                     "a 10 ms window (scr=10) of max(|L|,|R|) (scs=5 'Max', the linked "
                     "detector); attack 10 ms, release 150 ms (LSP times reach 71 %, "
                     "measured: gain change 63 % in 11 ms attack, 125 ms release). Measured "
                     "static curve on a 1 kHz sine (L=R) within 0.01 dB of the job. On the "
                     "bench signal it reduces the loud section by 4.9 dB (a static RMS "
                     "compressor on the long-term RMS: 2.7 dB; its 10 ms RMS follows the "
                     "noise's short-term peaks, and max(|L|,|R|) reads the partly "
                     "correlated channels higher than either). LV2 runs on per-channel "
                     "buffers, so the element deinterleaves and interleaves"},
            {"name": "x42 darc stereo (ffmpeg lv2)",
             "ffmpeg": "lv2=p=http\\\\://gareus.org/oss/lv2/darc#stereo:c=enable=1|hold=0"
                       "|inputgain=0|threshold=-15|Ratio=0.75|attack=0.01|release=0.15",
             "package": "x42-plugins",
             "note": "x42-dynamics-compressor (darc) stereo through ffmpeg's lv2 filter. Its "
                     "detector is the mean of L^2 and R^2 (linked RMS), its threshold is in "
                     "dB where a full-scale sine is 0 dB, so threshold=-15 is -18 dBFS RMS; "
                     "Ratio is 1-1/ratio (0.75 = 4:1). darc has no knee control: its gain is "
                     "-Ratio*(10 + 10log10(thr power + signal power)), a wide soft knee, and "
                     "it always adds its automatic makeup (equal loudness at -10 dBFS, here "
                     "+3.75 dB below threshold) which cannot be turned off. attack 10 ms, "
                     "release 150 ms (seconds in the ports; measured 63 % in 8 ms and 138 "
                     "ms). Measured on the 1 kHz sine, relative to its makeup: within 0.2 dB "
                     "of the job from -6 dBFS RMS up, 0.7 dB more at -12 (its wider knee), "
                     "and 0.7 dB already at -24; on the bench signal the loud section gets "
                     "4.2 dB less than its quiet-section gain. The lv2 filter works on "
                     "planar float, so ffmpeg adds flt<->fltp conversions, counted as part "
                     "of the peer"},
            {"name": "ffmpeg acompressor rms link=max",
             "ffmpeg": "acompressor=threshold=0.125893:ratio=4:knee=2:attack=40:release=300"
                       ":makeup=1:detection=rms:link=maximum",
             "package": "ffmpeg",
             "note": "ffmpeg acompressor: threshold is linear (0.125893 = -18 dBFS), knee is "
                     "a linear ratio (knee=2: 6.02 dB wide), makeup=1 (0 dB), detection=rms "
                     "with link=maximum (max(|L|,|R|), squared). Its attack/release are 4x "
                     "the time constants of a one-pole on the squared level, so the nominal "
                     "attack=10:release=150 recovers twice as fast as every other peer "
                     "(63 % in 2 ms / 78 ms); attack=40:release=300 gives 63 % in 6 ms / 153 "
                     "ms, like the others. Its 'rms' is that asymmetric one-pole, which "
                     "reads close to peak: 1.5 dB more gain reduction than the job above "
                     "the knee on a sine, 6.4 dB on the bench signal's loud section (2.7 for "
                     "a static RMS compressor). acompressor works in double, so ffmpeg adds "
                     "flt->dbl->flt conversions, counted as part of the peer"},
            {"name": "sox compand",
             "sox": "compand 0.01,0.15 2.75:-18,-18,0,-13.5 0 -90",
             "package": "sox",
             "note": "sox compand (a separate program: its rows have their own sox "
                     "decode-only baseline): one attack,decay pair, so the channels are "
                     "linked on max(|L|,|R|); attack 10 ms, decay 150 ms are the time "
                     "constants of a one-pole on the rectified level (measured 63 % in 12 ms "
                     "and 166 ms). Transfer function -18,-18,0,-13.5: unity below -18 dB, "
                     "4:1 above (0 dB in -> -13.5 out); sox's soft knee rounds each corner "
                     "along a radius, and 2.75 dB puts its curve within 0.06 dB of a 6 dB "
                     "wide knee. Gain 0, initial level -90 dB (it starts uncompressed, as an "
                     "envelope starting at zero; sox's default 0 dB would start fully "
                     "compressed), no delay (no lookahead). sox has no RMS detector: its "
                     "rectified average reads close to peak, 1.6 dB more gain reduction than "
                     "the job above the knee on a sine, 6.5 dB on the bench signal's loud "
                     "section (2.7 for a static RMS compressor). sox processes 32-bit integer "
                     "samples (the float input is converted on "
                     "reading, which its baseline also pays)"},
        ],
    },

    {
        # Issue job: the last processor of a master -- the stereo F32 48 kHz signal driven
        # +8 dB into a ceiling of -1 dBTP, lookahead about 5 ms, release about 150 ms. Ours
        # twice: true-peak on (its defaults: 8x oversampled detector, 5 ms lookahead, 150 ms
        # auto-release) against the true-peak peers, true-peak off (sample peak) against
        # ffmpeg's sample-peak alimiter. Every contender was checked to limit, not pass
        # through: `run-bench.sh --check --only masterlimiter` runs each once on 30 s of the
        # bench signal and prints the output's levels (dBFS from 1 s on; true peak by 16x
        # interpolation). Input: sample peak -2.9, RMS -17.4; driven +8 dB that is +5.1 and
        # -9.4. Ours, true-peak on: sample peak -1.10, true peak -1.03, RMS -11.4; true-peak
        # off: -1.00, +0.52, -11.0. The peers' figures are in their notes.
        "element": "masterlimiter",
        "ours": [
            {"name": "true-peak +8 dB ceiling -1",
             "gst": "masterlimiter input-gain=8 ceiling=-1"},
            {"name": "true-peak off +8 dB ceiling -1",
             "gst": "masterlimiter input-gain=8 ceiling=-1 true-peak=false"},
        ],
        "peers": [
            {"name": "x42 dpl stereo true-peak (ffmpeg lv2)",
             "ffmpeg": "lv2=p=http\\\\://gareus.org/oss/lv2/dpl#stereo"
                       ":c=enable=1|gain=8|threshold=-1|release=0.15|truepeak=1",
             "package": "x42-plugins",
             "note": "x42 dpl (Digital Peak Limiter) stereo through ffmpeg's lv2 filter: "
                     "input gain=8 dB, threshold=-1 dB, truepeak=1 (its true-peak mode: a 4x "
                     "upsampled detector, three 48-tap FIR phases per sample and channel), "
                     "release=0.15 s (ours' 150 ms; dpl's default is 10 ms). Its lookahead "
                     "is fixed at about 1.3 ms (64 samples at 48 kHz). Checked: sample peak "
                     "-1.00 dBFS, true peak -0.76 dBTP (its 4x detector misses some "
                     "intersample peaks), RMS -12.1 dBFS. The lv2 filter works on planar "
                     "float, so ffmpeg adds flt<->fltp conversions, counted as part of the "
                     "peer"},
            {"name": "LSP Limiter Stereo Half x4 (gst lv2)",
             "gst": "lsp-plug-in-plugins-lv2-limiter-stereo enabled=true "
                    "g-in=2.511886 th=0.891251 boost=false alr=false ovs=6 lk=5 rt=10",
             "package": "lsp-plugins-lv2",
             "note": "LSP Limiter Stereo through GStreamer's lv2 element, enabled=true "
                     "(GStreamer's lv2 element defaults LSP's enable port to off and the "
                     "plugin then passes audio through). Linear gains: input g-in=2.511886 "
                     "(+8 dB), threshold th=0.891251 (-1 dB); boost=false (the output is not "
                     "raised by the threshold, so the ceiling stays at -1 dBFS), alr=false "
                     "(no automatic level regulation), mode Herm Thin (default), lookahead "
                     "lk=5 ms (as ours), release rt=10 ms (LSP limits release to twice the "
                     "lookahead). ovs=6 'Half x4(3L)': 4x Lanczos (3 lobes) oversampling of "
                     "the sidechain only, the audio stays at its rate, like ours. Checked: "
                     "sample peak -1.00 dBFS, true peak -0.30 dBTP, RMS -10.8 dBFS. LV2 runs "
                     "on per-channel buffers, so the element deinterleaves and interleaves"},
            {"name": "LSP Limiter Stereo Full x4 (gst lv2)",
             "gst": "lsp-plug-in-plugins-lv2-limiter-stereo enabled=true "
                    "g-in=2.511886 th=0.891251 boost=false alr=false ovs=16 lk=5 rt=10",
             "package": "lsp-plugins-lv2",
             "note": "LSP Limiter Stereo Full x4: as Half x4, but ovs=16 'Full x4(3L)' "
                     "oversamples sidechain and audio, limits at 192 kHz and downsamples. "
                     "The downsampling filter lets peaks through: checked, sample peak +1.10 "
                     "dBFS (about 1000 samples in 30 s above -1 dBFS, 34 above 0 dBFS), true "
                     "peak +1.12 dBTP, RMS -10.9 dBFS. Timed anyway: it is what a user who "
                     "selects 4x oversampling in LSP's limiter for true-peak safety runs"},
            {"name": "ffmpeg alimiter (sample peak)",
             "ffmpeg": "alimiter=level_in=2.511886:limit=0.891251:attack=5:release=150:level=0",
             "package": "ffmpeg",
             "note": "ffmpeg alimiter, sample peak only: linear level_in=2.511886 (+8 dB), "
                     "limit=0.891251 (-1 dBFS), attack=5 ms (its lookahead, as ours), "
                     "release=150 ms, level=0 (its default auto-level scales the output back "
                     "up to 0 dBFS). Checked: sample peak -1.00 dBFS, true peak +0.19 dBTP, "
                     "RMS -11.8 dBFS. It works in double, so ffmpeg adds flt->dbl->flt "
                     "conversions, counted as part of the peer"},
        ],
    },

    {
        # Issue 6: loudness measurement and normalization of the stereo F32 48 kHz signal.
        # The bench signal is steady noise and tones at -14.1 LUFS integrated (libebur128 and
        # ffmpeg's ebur128), true peak -2.5 dBTP over 10 minutes. So the setting,
        # target -14 with max-true-peak -1, is a +0.14 dB gain that leaves the true peak 1.4 dB
        # under the ceiling: our file mode skips the limiter then (it is transparent when the
        # input's true peak plus the gain stays 0.5 dB under the ceiling) and needs no trial
        # render. The row at target -10 is the job with limiting: +4.14 dB puts the true peak
        # at +1.6 dBTP, the limiter takes up to 2.8 dB off the overs, and the element renders
        # one trial (measured, not pushed) before the final render. The ffmpeg loudnorm peers
        # run with the same I and TP. Every file-mode run holds the whole 230 MB stream: past
        # max-memory (64 MiB, the default) it spools to a temporary file in $TMPDIR.
        # `run-bench.sh --check --only loudnorm --seconds 600` prints the gain and limiting of
        # each run (our loudnorm-summary message) and the loudness of each output by libebur128.
        "element": "loudnorm",
        "ours": [
            {"name": "analyze", "gst": "loudnorm mode=analyze"},
            {"name": "analyze post-messages=true",
             "gst": "loudnorm mode=analyze post-messages=true"},
            {"name": "file target=-14 max-true-peak=-1",
             "gst": "loudnorm mode=file target=-14 max-true-peak=-1"},
            {"name": "file target=-10 max-true-peak=-1 (limits)",
             "gst": "loudnorm mode=file target=-10 max-true-peak=-1"},
        ],
        "peers": [
            {"name": "ffmpeg ebur128=peak=true",
             "ffmpeg": "ebur128=peak=true",
             "against": ["analyze", "analyze post-messages=true"],
             "package": "ffmpeg",
             "note": "ffmpeg ebur128=peak=true: the EBU R 128 meter (momentary, short-term, "
                     "integrated, loudness range every 100 ms, as our analyze mode) with the "
                     "true peak (peak=true: 4x oversampled by swresample, where ours uses an "
                     "8x detector); the audio passes through; its per-frame log is at "
                     "'verbose' level, so the timed run (-loglevel error) prints nothing and "
                     "its summary is not shown. Framed like every ffmpeg peer (aformat, "
                     "pcm_f32le, -f null -); ebur128 works in double, so ffmpeg adds "
                     "flt->dbl->flt conversions, counted as part of the peer"},
            {"name": "gst rganalysis",
             "gst": "rganalysis",
             "against": ["analyze", "analyze post-messages=true"],
             "package": "gstreamer1.0-plugins-good",
             "note": "gst rganalysis: ReplayGain 1 analysis (an equal-loudness filter, RMS of "
                     "50 ms blocks, the 95th percentile), sample peak only, no true peak, no "
                     "BS.1770 loudness; the audio passes through and the result goes out as "
                     "tags. A lighter job than ours or ebur128's. It accepts interleaved "
                     "F32LE stereo at 48 kHz, so the bench caps reach it directly: no "
                     "audioconvert is needed and none is counted"},
            {"name": "ffmpeg loudnorm=I=-14:TP=-1,aresample=48000",
             "ffmpeg": "loudnorm=I=-14:TP=-1,aresample=48000",
             "against": ["file target=-14 max-true-peak=-1"],
             "package": "ffmpeg",
             "note": "ffmpeg loudnorm=I=-14:TP=-1 (the target and ceiling of ours), one pass, "
                     "as users run it: without measured_* values from a first pass its "
                     "linear mode falls back to dynamic mode (a gain riding the programme "
                     "with 3 s of lookahead and a true-peak limiter). It runs at 192 kHz: "
                     "ffmpeg inserts a resampler to 192 kHz before it, and aresample=48000 "
                     "after it brings the output back to the input's rate (without it the "
                     "output is 192 kHz); both resamplers are counted as part of the peer, "
                     "as is the flt->dbl conversion (loudnorm works in double). LRA target "
                     "7 (its default)"},
            {"name": "ffmpeg loudnorm=I=-10:TP=-1,aresample=48000",
             "ffmpeg": "loudnorm=I=-10:TP=-1,aresample=48000",
             "against": ["file target=-10 max-true-peak=-1 (limits)"],
             "package": "ffmpeg",
             "note": "ffmpeg loudnorm=I=-10:TP=-1,aresample=48000: as the -14 peer, with the "
                     "target of ours' limiting row"},
        ],
    },
]
