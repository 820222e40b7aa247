set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m3_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'synthetic-52m: prefill, prefill_latency_ms'
$d0 << EOD
-0.06 0.4166434 0.386971928 0.446314872
0.94 0.511017 0.501916121 0.520117879
1.94 0.5054592 0.492139574 0.518778826
EOD
$d1 << EOD
0 2.2921328 1.85408719 2.73017841
1 2.0499976 1.99668413 2.10331107
2 3.4011036 3.32090019 3.48130701
EOD
$d2 << EOD
0.06 4.6093526 4.4930281 4.7256771
1.06 5.1362124 4.88333525 5.38908955
2.06 5.3279968 5.09902543 5.55696817
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
