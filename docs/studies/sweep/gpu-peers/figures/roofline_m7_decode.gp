set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m7_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-xl: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 1.96768885 1.95786308 1.97751461
0.94 1.998545 1.99649727 2.00059272
1.94 3.44122172 3.43309876 3.44934468
EOD
$d1 << EOD
0 11.5012717 9.55348694 13.4490565
1 10.8658203 10.2148752 11.5167654
2 10.749757 10.1820464 11.3174676
EOD
$d2 << EOD
0.06 22.896253 21.0869786 24.7055273
1.06 22.1596109 20.9630807 23.3561411
2.06 19.808549 19.28493 20.332168
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
