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
-0.06 0.1580508 0.148508883 0.167592717
0.94 0.1496038 0.140284794 0.158922806
1.94 0.1676852 0.146876585 0.188493815
EOD
$d1 << EOD
0 0.8389464 0.70914762 0.96874518
1 0.7281904 0.708420045 0.747960755
2 1.1496236 1.11238913 1.18685807
EOD
$d2 << EOD
0.06 1.9845498 1.87824245 2.09085715
1.06 2.529132 2.42763069 2.63063331
2.06 2.5689902 2.5273298 2.6106506
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
