set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'batch_medium (4x64)' 1) rotate by -20
set xrange [-0.5:1.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'pydoc-gpt2-8m: decode, tpot_ms'
$d0 << EOD
-0.3 0.231430084 0.229612197 0.23324797
0.7 0.816416458 -0.174229415 1.80706233
EOD
$d1 << EOD
-0.24 0.108525226 0.104403786 0.112646666
0.76 0.226119471 0.22472818 0.227510762
EOD
$d2 << EOD
-0.18 0.10115031 0.101044175 0.101256444
0.82 0.227781426 0.217278766 0.238284086
EOD
$d3 << EOD
-0.12 0.0924164645 0.092164865 0.092668064
0.88 0.190289748 0.189487796 0.191091701
EOD
$d4 << EOD
-0.06 0.122021955 0.12108314 0.12296077
0.94 0.2410714 0.240571478 0.241571322
EOD
$d5 << EOD
0 0.100426432 0.100123134 0.10072973
1 0.232704413 0.232323759 0.233085067
EOD
$d6 << EOD
0.06 0.515438716 0.511553219 0.519324213
1.06 1.16984137 1.04121434 1.29846841
EOD
$d7 << EOD
0.12 1.28703123 1.25253636 1.3215261
1.12 1.61927128 1.61512356 1.623419
EOD
$d8 << EOD
0.18 1.17067165 1.0832039 1.25813939
1.18 1.58796157 1.51669743 1.65922572
EOD
$d9 << EOD
0.24 3.01613788 2.91402783 3.11824794
1.24 3.12582797 2.6760524 3.57560355
EOD
$d10 << EOD
0.3 3.00466501 2.86282856 3.14650147
1.3 3.62114714 2.74931986 4.49297442
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
