set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m5_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2-medium: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 1.6450334 1.62645367 1.66361313
0.94 2.1028856 2.09374644 2.11202476
1.94 2.1151494 2.09896382 2.13133498
EOD
$d1 << EOD
0 5.4437988 5.20614542 5.68145218
1 9.8023038 9.70387513 9.90073247
2 10.0287912 9.83060218 10.2269802
EOD
$d2 << EOD
0.06 14.209994 13.5425172 14.8774708
1.06 15.8133404 15.3595615 16.2671193
2.06 13.579406 12.9240611 14.2347509
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
