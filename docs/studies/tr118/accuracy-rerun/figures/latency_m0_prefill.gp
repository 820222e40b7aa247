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
-0.3 5.4200418 5.38582227 5.45426133
0.7 8.0111762 6.15917506 9.86317734
EOD
$d1 << EOD
-0.24 1.2534282 0.750977293 1.75587911
0.76 0.8354096 0.618578796 1.0522404
EOD
$d2 << EOD
-0.18 0.2846348 0.267544089 0.301725511
0.82 0.6208454 0.588646524 0.653044276
EOD
$d3 << EOD
-0.12 1.1179604 1.11442844 1.12149236
0.88 0.373221 0.364560205 0.381881795
EOD
$d4 << EOD
-0.06 0.313337 0.285286534 0.341387466
0.94 0.5234214 0.517151206 0.529691594
EOD
$d5 << EOD
0 0.3440988 0.32712894 0.36106866
1 0.4486584 0.425766582 0.471550218
EOD
$d6 << EOD
0.06 0.691108 0.657108163 0.725107837
1.06 4.116653 3.71908737 4.51421863
EOD
$d7 << EOD
0.12 1.3046104 1.26615532 1.34306548
1.12 1.61526 1.59261538 1.63790462
EOD
$d8 << EOD
0.18 1.714062 1.55704512 1.87107888
1.18 1.5343094 1.5161978 1.552421
EOD
$d9 << EOD
0.24 8.6928428 2.61652304 14.7691626
1.24 3.6475896 3.41860705 3.87657215
EOD
$d10 << EOD
0.3 3.2997204 2.8664281 3.7330127
1.3 4.0338042 3.99589335 4.07171505
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2:3:4 with yerrorlines title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2:3:4 with yerrorlines title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2:3:4 with yerrorlines title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d8 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0', \
     $d9 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0', \
     $d10 using 1:2:3:4 with yerrorlines title 'transformers-eager fp32 on cuda:0'
