set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m1_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2: prefill, prefill_latency_ms'
$d0 << EOD
-0.09 3.4214434 3.32195781 3.52092899
0.91 3.499976 3.41201677 3.58793523
1.91 3.641056 3.51491497 3.76719703
EOD
$d1 << EOD
-0.03 2.6657068 2.45384729 2.87756631
0.97 2.5264836 2.46365726 2.58930994
1.97 2.9396392 2.86803123 3.01124717
EOD
$d2 << EOD
0.03 2.3896278 2.18003126 2.59922434
1.03 2.5773246 2.45837588 2.69627332
2.03 3.7462196 3.38362908 4.10881012
EOD
$d3 << EOD
0.09 3.3626112 3.3252856 3.3999368
1.09 3.8985144 3.69897141 4.09805739
2.09 3.6708752 3.43880645 3.90294395
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
