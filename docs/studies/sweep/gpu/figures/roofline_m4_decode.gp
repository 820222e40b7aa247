set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m4_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 0.97329819 0.956257574 0.990338805
0.94 1.10852705 0.964039204 1.2530149
1.94 1.4543452 1.34450492 1.56418547
EOD
$d1 << EOD
0 5.37795182 5.36517045 5.39073319
1 5.56682021 5.55862039 5.57502004
2 8.12511819 8.0842901 8.16594629
EOD
$d2 << EOD
0.06 5.33978896 5.32875212 5.3508258
1.06 5.53450084 5.51619892 5.55280277
2.06 8.0182892 7.9560058 8.0805726
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
