set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'batch_medium (4x64)' 1) rotate by -20
set xrange [-0.5:1.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'pydoc-gpt2-8m: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 0.8020078 0.77885696 0.82515864
0.94 6.6919628 6.50572546 6.87820014
EOD
$d1 << EOD
0 1.2500918 1.13723447 1.36294913
1 1.8763986 1.52894133 2.22385587
EOD
$d2 << EOD
0.06 1.6708136 1.56854228 1.77308492
1.06 1.8889524 1.76783564 2.01006916
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0'
