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
-0.06 4.6886404 4.68188503 4.69539577
0.94 5.6625098 5.63245587 5.69256373
1.94 6.0272518 6.01761549 6.03688811
EOD
$d1 << EOD
0 10.9316808 10.735291 11.1280706
1 11.8784998 11.0056749 12.7513247
2 11.0780854 10.7920172 11.3641536
EOD
$d2 << EOD
0.06 39.760578 23.4756746 56.0454814
1.06 22.6533976 22.3756299 22.9311653
2.06 30.5975104 27.1930945 34.0019263
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
