set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'tiny-gpt2: decode, tpot_ms'
$d0 << EOD
-0.09 0.249913181 0.246972839 0.252853522
0.91 0.249198729 0.246802069 0.251595389
1.91 0.551495194 0.539127787 0.5638626
EOD
$d1 << EOD
-0.03 1.0887551 1.05163801 1.12587219
0.97 1.08668739 1.06857926 1.10479552
1.97 1.41124561 1.37428186 1.44820936
EOD
$d2 << EOD
0.03 0.238710581 0.236843821 0.24057734
1.03 0.234238819 0.230464919 0.23801272
2.03 0.600466665 0.591926423 0.609006906
EOD
$d3 << EOD
0.09 0.543422245 0.531619794 0.555224697
1.09 0.601683684 0.535316974 0.668050393
2.09 0.97514549 0.959626194 0.990664787
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
