set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m2_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'synthetic-18m: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 0.30384 0.295635173 0.312044827
0.94 0.3241922 0.310113575 0.338270825
1.94 0.3296342 0.296675793 0.362592607
EOD
$d1 << EOD
0 1.7056982 1.62278972 1.78860668
1 1.7042322 1.6605578 1.7479066
2 2.1068192 2.06208234 2.15155606
EOD
$d2 << EOD
0.06 3.7574608 3.59993572 3.91498588
1.06 3.5525124 3.46845006 3.63657474
2.06 3.6202306 3.45876006 3.78170114
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
