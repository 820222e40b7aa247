set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m3_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-52m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 0.531516551 0.486813831 0.576219271
0.94 0.597320605 0.559089337 0.635551873
1.94 1.09728339 1.02676612 1.16780066
EOD
$d1 << EOD
0 6.7035174 6.68808846 6.71894634
1 7.08261061 7.06293872 7.10228251
2 12.6029872 12.5947944 12.6111801
EOD
$d2 << EOD
0.06 6.72376873 6.71492574 6.73261172
1.06 7.08124269 7.02537926 7.13710612
2.06 12.5915795 12.5555822 12.6275768
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
