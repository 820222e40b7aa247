set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'tiny-gpt2: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 2.1270734 2.04560661 2.20854019
0.97 1.059447 1.00318112 1.11571288
1.97 0.662532 0.602070733 0.722993267
EOD
$d1 << EOD
0.03 0.156259 0.130067687 0.182450313
1.03 0.3325164 0.30173051 0.36330229
2.03 0.6236058 0.460619965 0.786591635
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
