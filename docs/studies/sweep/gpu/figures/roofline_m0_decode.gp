set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'tiny-gpt2: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 227.576873 27.693805 427.459942
0.94 15.7545286 15.5904735 15.9185836
1.94 28.2402915 27.5088477 28.9717353
EOD
$d1 << EOD
0 735.226672 728.08745 742.365894
1 757.349975 753.076524 761.623427
2 1227.89354 1223.67096 1232.11611
EOD
$d2 << EOD
0.06 766.060891 762.481775 769.640007
1.06 769.356964 761.828295 776.885634
2.06 1231.45548 1229.39248 1233.51848
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
