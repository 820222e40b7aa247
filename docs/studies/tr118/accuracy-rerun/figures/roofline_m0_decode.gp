set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'batch_medium (4x64)' 1) rotate by -20
set xrange [-0.5:1.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'pydoc-gpt2-8m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.3 0.695944307 0.690477655 0.701410959
0.7 2.31752252 -0.494576742 5.12962178
EOD
$d1 << EOD
-0.24 21.1831657 20.3786971 21.9876344
0.76 41.6634917 41.4071403 41.9198431
EOD
$d2 << EOD
-0.18 19.7436472 19.7229308 19.7643637
0.82 41.9697141 40.0345535 43.9048746
EOD
$d3 << EOD
-0.12 9.01943889 8.99488388 9.04399389
0.88 17.5308551 17.4569735 17.6047367
EOD
$d4 << EOD
-0.06 47.6352161 47.2687192 48.0017129
0.94 88.8368987 88.6526732 89.0211242
EOD
$d5 << EOD
0 39.2047055 39.0863033 39.3231076
1 85.7535915 85.6133173 85.8938657
EOD
$d6 << EOD
0.06 1.55000004 1.53831578 1.5616843
1.06 3.320773 2.95564555 3.68590044
EOD
$d7 << EOD
0.12 251.217131 244.484037 257.950225
1.12 298.357745 297.59351 299.12198
EOD
$d8 << EOD
0.18 114.252384 105.715918 122.78885
1.18 146.294398 139.729034 152.859762
EOD
$d9 << EOD
0.24 588.72348 568.792499 608.654462
1.24 575.94734 493.074242 658.820438
EOD
$d10 << EOD
0.3 293.242039 279.399427 307.08465
1.3 333.606021 253.287045 413.924997
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
