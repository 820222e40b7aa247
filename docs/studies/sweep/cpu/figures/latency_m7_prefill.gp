set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m7_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2-xl: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 260.062831 254.18412 265.941542
0.97 2528.34556 2488.87395 2567.81718
1.97 5225.71796 4845.28016 5606.15575
EOD
$d1 << EOD
0.03 402.536366 249.429155 555.643577
1.03 1919.20893 1784.29596 2054.1219
2.03 3230.34262 3079.24365 3381.44159
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
