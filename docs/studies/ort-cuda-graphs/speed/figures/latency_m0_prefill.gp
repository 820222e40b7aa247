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
-0.09 0.8305378 0.787462578 0.873613022
0.91 0.8156178 0.801937291 0.829298309
1.91 1.1901156 1.1478043 1.2324269
EOD
$d1 << EOD
-0.03 1.1063206 1.07272893 1.13991227
0.97 1.1614782 1.10185332 1.22110308
1.97 1.5460976 1.42956883 1.66262637
EOD
$d2 << EOD
0.03 0.8255668 0.747549032 0.903584568
1.03 0.886122 0.84566774 0.92657626
2.03 1.298279 1.247979 1.348579
EOD
$d3 << EOD
0.09 0.6947534 0.57572656 0.81378024
1.09 0.6939044 0.582920964 0.804887836
2.09 1.0231874 1.00863964 1.03773516
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
